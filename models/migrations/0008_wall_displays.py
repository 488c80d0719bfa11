from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_analytics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Display',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=80)),
                ('team_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('slides', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('slide_seconds', fields.IntField(default=20)),
                ('created_by', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('code_hash', fields.CharField(null=True, max_length=64)),
                ('code_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('device_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('paired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'display', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A TV a lead set up. It is paired with a one-time code (only its SHA-256 kept, with its expiry); the paired'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PublicProfile',
            fields=[
                ('agent_id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alias', fields.CharField(default='', db_default='', max_length=80)),
                ('opted_out', fields.BooleanField(default=False, db_default=False)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'public_profile', 'app': 'models', 'pk_attr': 'agent_id', 'table_description': 'How an agent appears on public screens: under an alias (empty: their display name) or not at all.'},
            bases=['Model'],
        ),
    ]
