from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0004_api_tokens_and_agent_email')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Connection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('name', fields.CharField(max_length=80)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('secret_encrypted', fields.TextField(default='', unique=False)),
                ('secret_hash', fields.CharField(default='', max_length=64)),
                ('signed', fields.BooleanField(default=True)),
                ('created_by', fields.ForeignKeyField('models.Agent', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='connections_created', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'connection', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One helpdesk account posting to ``/webhooks/{token}``.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('connection', fields.ForeignKeyField('models.Connection', source_field='connection_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('delivery_id', fields.CharField(null=True, max_length=100)),
                ('received_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('event', fields.CharField(default='', max_length=80)),
                ('status', fields.CharField(db_index=True, max_length=16)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('body', fields.BinaryField()),
                ('headers', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('ticket', fields.CharField(default='', max_length=64)),
                ('applied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'delivery', 'app': 'models', 'unique_together': (('connection', 'delivery_id'),), 'pk_attr': 'id', 'table_description': 'One webhook request as received: stored before it is answered, so a lead sees it and can replay it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HelpdeskIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('connection', fields.ForeignKeyField('models.Connection', source_field='connection_id', db_constraint=True, to_field='id', related_name='identities', on_delete=OnDelete.CASCADE)),
                ('external_id', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=120)),
                ('email', fields.CharField(null=True, max_length=200)),
                ('agent', fields.ForeignKeyField('models.Agent', source_field='agent_id', db_constraint=True, to_field='id', related_name='helpdesk_identities', on_delete=OnDelete.CASCADE)),
                ('created_agent', fields.BooleanField(default=False)),
            ],
            options={'table': 'helpdesk_identity', 'app': 'models', 'unique_together': (('connection', 'external_id'),), 'pk_attr': 'id', 'table_description': 'An agent as a helpdesk knows them (its own id), linked to the DeskQuest agent their points go to.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Conversation',
            name='connection',
            field=fields.ForeignKeyField('models.Connection', source_field='connection_id', null=True, db_constraint=True, to_field='id', related_name='conversations', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Conversation',
            name='external_id',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddConstraint(
            model_name='Conversation',
            constraint=UniqueConstraint(fields=('connection', 'external_id'), name=None),
        ),
    ]
