"""Login sessions: one row per login, so a session can be listed, ended and refused server-side."""
from tortoise import fields
from tortoise.models import Model

from models.people import Agent


class LoginSession(Model):
    """One login of one person on one browser.

    The browser holds a random token; the row is keyed by the token's SHA-256, so reading the table (a backup, a
    replica) hands out no session. A session lets nobody in once ``revoked_at`` is set, past ``expires_at`` (its
    absolute lifetime), after the idle limit since ``last_seen_at``, or when the account's role is no longer ``role``.
    """
    id = fields.CharField(primary_key=True, max_length=64)  # hex SHA-256 of the browser's token
    agent: fields.ForeignKeyRelation[Agent] = fields.ForeignKeyField('models.Agent', related_name='login_sessions',
                                                                     on_delete=fields.CASCADE)
    agent_id: int
    role = fields.CharField(max_length=16)  # the account's role at login
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()  # written at most once a minute
    expires_at = fields.DatetimeField()  # the absolute end, whatever the activity
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=32, default='')  # services/domain/sessions.py Ended
    user_agent = fields.CharField(max_length=200, default='')  # cleaned and cut (user_agent_kept)
    address = fields.CharField(max_length=64, default='')  # the client address the login came from
    # the last event in the log when it started: an account event after it (disabled, role changed, password reset or
    # changed) ends it, checked again at start-up in case the process stopped before the revocation was written
    after_event_id = fields.BigIntField(default=0)

    class Meta:
        table = 'login_session'
        # revoked_at alone: every process reads the revocations of the last moments (several processes, issue 17)
        indexes = (('agent_id', 'revoked_at'), ('revoked_at',))
