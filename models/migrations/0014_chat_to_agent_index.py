from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_assist_share')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ChatMessage',
            index=Index(fields=['to_agent_id', 'created_at']),
        ),
    ]
