from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_wall_displays')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QuestRow',
            name='repeat',
            field=fields.CharField(default='none', db_default='none', max_length=8),
        ),
    ]
