"""The levels each agent reached: a stored projection of the event log, what a level's receipt is read from."""
from tortoise import fields
from tortoise.models import Model

from models.game import StoredEvent


class LevelReached(Model):
    """One level-up: the event that tipped it, and the condition and metrics the projection saw at that moment.

    The title and condition are the ones in force then (a lead may edit them later); ``previous`` is the level held
    before, so one event that passes several levels at once is one row.
    """
    id = fields.BigIntField(primary_key=True)
    agent_id = fields.IntField(db_index=True)
    level = fields.IntField()
    previous = fields.IntField()
    event: fields.ForeignKeyRelation[StoredEvent] = fields.ForeignKeyField('models.StoredEvent',
                                                                           related_name='levels_reached')
    event_id: int
    reached_at = fields.DatetimeField()
    title = fields.CharField(max_length=80)
    condition = fields.CharField(max_length=1000, default='')
    metrics = fields.JSONField(default=dict)  # the lifetime metrics a level condition reads, right after the event

    class Meta:
        table = 'level_reached'
        unique_together = (('agent_id', 'level'),)  # levels are never lost, so each is reached once
