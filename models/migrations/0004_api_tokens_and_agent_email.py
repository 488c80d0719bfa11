from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_login_sessions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiIdempotency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_id', fields.IntField()),
                ('key', fields.CharField(max_length=120)),
                ('request_hash', fields.CharField(max_length=64)),
                ('status', fields.IntField()),
                ('response', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_idempotency', 'app': 'models', 'unique_together': (('token_id', 'key'),), 'pk_attr': 'id', 'table_description': 'What a ``POST`` with an ``Idempotency-Key`` answered, so the same request again gets the same answer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=80)),
                ('scope', fields.CharField(max_length=8)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=16)),
                ('created_by', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A REST API token (issue 14): only its SHA-256 is stored, so the database never gives the token back.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Agent',
            name='email',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddIndex(
            model_name='LedgerEntry',
            index=Index(fields=['event_id']),
        ),
    ]
