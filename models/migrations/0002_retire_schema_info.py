from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='AgentSkills',
            options={'table': 'agent_skills', 'app': 'models', 'pk_attr': 'agent_id', 'table_description': 'How routing treats one agent; an agent without a row has the defaults (every channel, capacity 3).'},
        ),
        ops.DeleteModel(name='SchemaInfo'),
    ]
