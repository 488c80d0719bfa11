from tortoise import fields
from tortoise.models import Model

# the fair-play scoring defaults (services/domain/scoring.py ScoringPolicy), for rows from before those values
QUEUE_JUMP_DEFAULT = -50
AGING_BOUNTY_DEFAULT = 8
AGING_LIMIT_MINUTES_DEFAULT = 10
LOW_VALUE_DAILY_CAP_DEFAULT = 20
REOPEN_WINDOW_HOURS_DEFAULT = 72
ASSIST_PERCENT_DEFAULT = 20


class StoredEvent(Model):
    """One line of the append-only event log; the id is monotonically increasing and the key unique."""
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=120, unique=True)  # idempotency key: the same fact is never recorded twice
    kind = fields.CharField(max_length=32)
    occurred_at = fields.DatetimeField(db_index=True)
    agent_id = fields.IntField(null=True)  # indexed below, with the kind and the time
    conversation_id = fields.IntField(null=True, db_index=True)
    data = fields.JSONField(default=dict)

    class Meta:
        table = 'event'
        # an agent's events of one kind in a window (their ratings this week, the events behind a badge) without
        # walking the rest of their history; queries by agent alone use its first column
        indexes = (('agent_id', 'kind', 'occurred_at'),)


class LedgerEntry(Model):
    """A points award or clawback; append-only, always pointing at the event that caused it."""
    id = fields.BigIntField(primary_key=True)
    event: fields.ForeignKeyRelation[StoredEvent] = fields.ForeignKeyField('models.StoredEvent',
                                                                           related_name='ledger_entries')
    event_id: int
    agent_id = fields.IntField(db_index=True)
    points = fields.IntField()
    domain = fields.CharField(max_length=16)  # quality | speed | productivity
    kind = fields.CharField(max_length=32)  # the award kind: fast_resolution, happy_customer, clawback, …
    reason = fields.CharField(max_length=200)
    occurred_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = 'ledger_entry'
        # an agent's latest receipts without scanning their history; an event's entries (a receipt, a reopen's
        # clawback, the points a conversation earned in an export) without scanning the ledger
        indexes = (('agent_id', 'id'), ('event_id',))


class DailyPoints(Model):
    """Ledger points per agent and day, maintained with the ledger: leaderboards load it instead of the ledger."""
    agent_id = fields.IntField()
    day = fields.DateField()
    points = fields.IntField(default=0)
    resolved = fields.IntField(default=0)  # resolutions less reopens that day: the leaderboards' minimum volume

    class Meta:
        table = 'daily_points'
        unique_together = (('agent_id', 'day'),)
        indexes = (('day',),)  # windows ("the last 7 days") read by day for every agent


class AgentScore(Model):
    """The stored projection of one agent's lifetime metrics, kept in the same transaction as the events."""
    agent_id = fields.IntField(primary_key=True)
    points = fields.IntField(default=0)
    quality = fields.IntField(default=0)
    speed = fields.IntField(default=0)
    productivity = fields.IntField(default=0)
    resolved = fields.IntField(default=0)
    replies = fields.IntField(default=0)
    chats = fields.IntField(default=0)
    calls = fields.IntField(default=0)
    positive_ratings = fields.IntField(default=0)
    negative_ratings = fields.IntField(default=0)
    level = fields.IntField(default=1)
    last_event_id = fields.BigIntField(default=0)

    class Meta:
        table = 'agent_score'


class ScoringPolicyRow(Model):
    """The scoring values leads set, one row per edit (the seeded defaults first, from event 0): a receipt explains an
    award with the row in force when its event was scored. Columns as in services/domain/scoring.py
    ``policy_as_dict``."""
    since_event_id = fields.BigIntField(primary_key=True)  # in force for the events after this one
    fast_limit_minutes = fields.IntField()
    fast_resolution = fields.IntField()
    on_time_resolution = fields.IntField()
    late_resolution = fields.IntField()
    first_contact = fields.IntField()
    happy_customer = fields.IntField()
    unhappy_customer = fields.IntField()
    minimum_resolved = fields.IntField(default=0)
    # fair play (issue 18): on for a new floor; off (db_default 0) in the rows stored before these rules existed, so
    # an upgraded floor's log replays as it was scored (services/domain/scoring.py FAIR_PLAY_OFF)
    queue_jump = fields.IntField(default=QUEUE_JUMP_DEFAULT, db_default=0)
    aging_bounty = fields.IntField(default=AGING_BOUNTY_DEFAULT, db_default=0)
    aging_limit_minutes = fields.IntField(default=AGING_LIMIT_MINUTES_DEFAULT, db_default=AGING_LIMIT_MINUTES_DEFAULT)
    bad_rating_cancel_percent = fields.IntField(default=100, db_default=0)
    reopen_penalty_percent = fields.IntField(default=100, db_default=0)
    # notes and tags earn nothing unless a lead prices them; their daily cap is on for a new floor, off before it
    note_points = fields.IntField(default=0, db_default=0)
    tag_points = fields.IntField(default=0, db_default=0)
    low_value_daily_cap = fields.IntField(default=LOW_VALUE_DAILY_CAP_DEFAULT, db_default=0)
    # vesting: resolution points pending for this many hours on a new floor; 0 (a reopen always takes back) before it
    reopen_window_hours = fields.IntField(default=REOPEN_WINDOW_HOURS_DEFAULT, db_default=0)
    # assist credit: a colleague's share of a resolution on a new floor; none (0) before it
    assist_percent = fields.IntField(default=ASSIST_PERCENT_DEFAULT, db_default=0)

    class Meta:
        table = 'scoring_policy'
