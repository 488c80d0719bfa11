from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_recurring_quests')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='aging_bounty',
            field=fields.IntField(default=8, db_default=0),
        ),
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='aging_limit_minutes',
            field=fields.IntField(default=10, db_default=10),
        ),
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='bad_rating_cancel_percent',
            field=fields.IntField(default=100, db_default=0),
        ),
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='queue_jump',
            field=fields.IntField(default=-50, db_default=0),
        ),
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='reopen_penalty_percent',
            field=fields.IntField(default=100, db_default=0),
        ),
    ]
