from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_external_helpdesk')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AnalyticsDay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('agent_id', fields.IntField()),
                ('channel', fields.CharField(max_length=16)),
                ('points_quality', fields.IntField(default=0, db_default=0)),
                ('points_speed', fields.IntField(default=0, db_default=0)),
                ('points_productivity', fields.IntField(default=0, db_default=0)),
                ('answered', fields.IntField(default=0, db_default=0)),
                ('answered_in_target', fields.IntField(default=0, db_default=0)),
                ('abandoned', fields.IntField(default=0, db_default=0)),
                ('resolved', fields.IntField(default=0, db_default=0)),
                ('resolved_in_sla', fields.IntField(default=0, db_default=0)),
                ('first_contact', fields.IntField(default=0, db_default=0)),
                ('handle_seconds', fields.BigIntField(default=0, db_default=0)),
                ('reopened', fields.IntField(default=0, db_default=0)),
                ('rated', fields.IntField(default=0, db_default=0)),
                ('rated_good', fields.IntField(default=0, db_default=0)),
            ],
            options={'table': 'analytics_day', 'app': 'models', 'unique_together': (('day', 'agent_id', 'channel'),), 'indexes': [Index(fields=['day', 'agent_id'])], 'pk_attr': 'id', 'table_description': "Analytics' counters per day, agent and channel (services/domain/analytics.py ``COUNTERS``), kept in the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AnalyticsVolume',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('hour', fields.SmallIntField()),
                ('channel', fields.CharField(max_length=16)),
                ('created', fields.IntField(default=0, db_default=0)),
            ],
            options={'table': 'analytics_volume', 'app': 'models', 'unique_together': (('day', 'hour', 'channel'),), 'pk_attr': 'id', 'table_description': 'Arrivals per day, hour (UTC) and channel: the volume heatmap, kept like :class:`AnalyticsDay`.'},
            bases=['Model'],
        ),
    ]
