"""Incentives leads run: time-boxed multipliers and bonuses (the fold reads them from their events in the log)."""
from tortoise import fields
from tortoise.models import Model


class Incentive(Model):
    """See ``services.incentive_rules.Incentive`` for what each field means."""
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=60)
    kind = fields.CharField(max_length=16)  # multiplier | bonus
    channel = fields.CharField(max_length=16, null=True)  # None: every channel
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    from_time = fields.CharField(max_length=5)  # HH:MM, UTC
    until_time = fields.CharField(max_length=5)
    multiplier = fields.FloatField(default=1.0)
    bonus_points = fields.IntField(default=0)
    beyond_per_hour = fields.IntField(default=0)
    updated_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = 'incentive'
