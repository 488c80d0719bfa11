from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_lead_content_vesting_displays')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ScoringPolicyRow',
            name='assist_percent',
            field=fields.IntField(default=20, db_default=0),
        ),
    ]
