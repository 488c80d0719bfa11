from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_fair_play')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='low_value_daily_cap',
            field=fields.IntField(default=20, db_default=0),
        ),
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='note_points',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='tag_points',
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
