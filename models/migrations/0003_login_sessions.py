from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_retire_schema_info')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LoginSession',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('agent', fields.ForeignKeyField('models.Agent', source_field='agent_id', db_constraint=True, to_field='id', related_name='login_sessions', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_reason', fields.CharField(default='', max_length=32)),
                ('user_agent', fields.CharField(default='', max_length=200)),
                ('address', fields.CharField(default='', max_length=64)),
                ('after_event_id', fields.BigIntField(default=0)),
            ],
            options={'table': 'login_session', 'app': 'models', 'indexes': [Index(fields=['agent_id', 'revoked_at'])], 'pk_attr': 'id', 'table_description': 'One login of one person on one browser.'},
            bases=['Model'],
        ),
    ]
