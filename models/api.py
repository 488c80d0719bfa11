from tortoise import fields
from tortoise.models import Model


class ApiToken(Model):
    """A REST API token (issue 14): only its SHA-256 is stored, so the database never gives the token back."""
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80)
    scope = fields.CharField(max_length=8)  # read | write (write includes read)
    token_hash = fields.CharField(max_length=64, unique=True)  # hex SHA-256 of the whole token
    prefix = fields.CharField(max_length=16)  # the token's first characters, shown so a lead can recognise it
    created_by = fields.IntField(null=True)  # the lead's agent id; None: created from the command line
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'api_token'


class ApiIdempotency(Model):
    """What a ``POST`` with an ``Idempotency-Key`` answered, so the same request again gets the same answer."""
    id = fields.IntField(primary_key=True)
    token_id = fields.IntField()
    key = fields.CharField(max_length=120)
    request_hash = fields.CharField(max_length=64)  # SHA-256 of the method, the path and the body
    status = fields.IntField()
    response = fields.JSONField()
    created_at = fields.DatetimeField()

    class Meta:
        table = 'api_idempotency'
        unique_together = (('token_id', 'key'),)
