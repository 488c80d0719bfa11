from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_low_value_cap')]

    initial = False

    operations = [
        ops.AddField(
            model_name='BadgeDefinitionRow',
            name='translations',
            field=fields.JSONField(default=dict, db_default='{}', encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Display',
            name='language',
            field=fields.CharField(null=True, max_length=8),
        ),
        ops.AddField(
            model_name='LevelRow',
            name='translations',
            field=fields.JSONField(default=dict, db_default='{}', encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddIndex(
            model_name='LoginSession',
            index=Index(fields=['revoked_at']),
        ),
        ops.AddField(
            model_name='QuestRow',
            name='translations',
            field=fields.JSONField(default=dict, db_default='{}', encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Reward',
            name='translations',
            field=fields.JSONField(default=dict, db_default='{}', encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='reopen_window_hours',
            field=fields.IntField(default=72, db_default=0),
        ),
    ]
