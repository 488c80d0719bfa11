from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_helpdesk_connections')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Connection',
            name='base_url',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Team',
            name='external_helpdesk',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
