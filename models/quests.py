"""The quests as leads edit them (services/domain/quests.py's QuestDefinition, field for field).

Progress and completions are not stored here: they are folds of the event log (``QUEST_COMPLETED`` events carry the
rewards), which ``rebuild --check`` compares with a replay.
"""
from tortoise import fields
from tortoise.models import Model


class QuestRow(Model):
    key = fields.CharField(max_length=40, primary_key=True)
    title = fields.CharField(max_length=120)
    description = fields.CharField(max_length=300, default='')
    metric = fields.JSONField()  # {kind, value, where: [{field, operator, values}]}
    aggregation = fields.CharField(max_length=16, default='count')
    target = fields.IntField()
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    scope = fields.CharField(max_length=16, default='individual')
    reward_points = fields.IntField(default=0)
    reward_domain = fields.CharField(max_length=16, default='productivity')
    reward_badge = fields.CharField(max_length=40, null=True)
    repeat = fields.CharField(max_length=8, default='none', db_default='none')  # none | daily | weekly (issue 15)
    # the texts in other languages than the default one (issue 16): {language: {title, description}}
    translations = fields.JSONField(default=dict, db_default='{}')

    class Meta:
        table = 'quest'
