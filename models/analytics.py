from tortoise import fields
from tortoise.models import Model


class AnalyticsDay(Model):
    """Analytics' counters per day, agent and channel (services/domain/analytics.py ``COUNTERS``), kept in the
    transaction of the events that change them: charts over any period read these rows, never the event log."""
    day = fields.DateField()
    agent_id = fields.IntField()  # 0: the floor's (an arrival abandoned before anyone answered)
    channel = fields.CharField(max_length=16)  # '': an award whose event names no channel
    points_quality = fields.IntField(default=0, db_default=0)
    points_speed = fields.IntField(default=0, db_default=0)
    points_productivity = fields.IntField(default=0, db_default=0)
    answered = fields.IntField(default=0, db_default=0)  # first replies
    answered_in_target = fields.IntField(default=0, db_default=0)  # within the channel's service-level target
    abandoned = fields.IntField(default=0, db_default=0)
    resolved = fields.IntField(default=0, db_default=0)  # resolutions (a later reopen counts in ``reopened``)
    resolved_in_sla = fields.IntField(default=0, db_default=0)
    first_contact = fields.IntField(default=0, db_default=0)  # resolved after the customer's first message
    handle_seconds = fields.BigIntField(default=0, db_default=0)  # arrival to resolution, summed
    reopened = fields.IntField(default=0, db_default=0)  # on the resolver, the day of the reopen
    rated = fields.IntField(default=0, db_default=0)
    rated_good = fields.IntField(default=0, db_default=0)

    class Meta:
        table = 'analytics_day'
        unique_together = (('day', 'agent_id', 'channel'),)
        indexes = (('day', 'agent_id'),)  # a period for the floor, a team or one agent


class AnalyticsVolume(Model):
    """Arrivals per day, hour (UTC) and channel: the volume heatmap, kept like :class:`AnalyticsDay`."""
    day = fields.DateField()
    hour = fields.SmallIntField()
    channel = fields.CharField(max_length=16)
    created = fields.IntField(default=0, db_default=0)

    class Meta:
        table = 'analytics_volume'
        unique_together = (('day', 'hour', 'channel'),)
