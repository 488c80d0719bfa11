"""Connections to the helpdesks a team already runs (issue 14): where their webhooks post, what arrived, who is who."""
from tortoise import fields
from tortoise.models import Model


class Connection(Model):
    """One helpdesk account posting to ``/webhooks/{token}``.

    The signing secret is never stored in clear: Chatwoot's and Zendesk's HMAC needs it back, so it is encrypted with a
    key derived from the server's storage secret, which is not in the database (services/helpdesk/connections.py);
    Freshdesk only sends the secret back, so a hash is enough.
    """
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)  # chatwoot | zendesk | freshdesk
    name = fields.CharField(max_length=80)
    token = fields.CharField(max_length=64, unique=True)  # the random part of the webhook URL
    secret_encrypted = fields.TextField(default='')  # Fernet token (chatwoot, zendesk)
    secret_hash = fields.CharField(max_length=64, default='')  # SHA-256 hex (freshdesk)
    signed = fields.BooleanField(default=True)  # False: an old Chatwoot that signs nothing, chosen by the lead
    created_by = fields.ForeignKeyField('models.Agent', related_name='connections_created', null=True,
                                        on_delete=fields.SET_NULL)
    created_by_id: int | None
    created_at = fields.DatetimeField()
    active = fields.BooleanField(default=True)
    # the helpdesk's address as the lead gave it (e.g. https://acme.zendesk.com), for links to its tickets; '' unknown
    base_url = fields.CharField(max_length=200, default='', db_default='')

    class Meta:
        table = 'connection'


class Delivery(Model):
    """One webhook request as received: stored before it is answered, so a lead sees it and can replay it."""
    id = fields.IntField(primary_key=True)
    connection: fields.ForeignKeyRelation[Connection] = fields.ForeignKeyField(
        'models.Connection', related_name='deliveries', on_delete=fields.CASCADE)
    connection_id: int
    delivery_id = fields.CharField(max_length=100, null=True)  # X-Chatwoot-Delivery, x-zendesk-webhook-invocation-id
    received_at = fields.DatetimeField(db_index=True)
    event = fields.CharField(max_length=80, default='')
    status = fields.CharField(max_length=16, db_index=True)  # received|applied|duplicate|ignored|failed|waiting
    reason = fields.CharField(max_length=500, default='')
    body = fields.BinaryField()  # the raw bytes (at most 1 MiB): signatures and replays need them as sent
    headers = fields.JSONField(default=dict)  # the few headers a replay needs (signature, timestamp, content type)
    ticket = fields.CharField(max_length=64, default='')  # the helpdesk's conversation id, when one was read
    applied_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'delivery'
        unique_together = (('connection', 'delivery_id'),)


class HelpdeskIdentity(Model):
    """An agent as a helpdesk knows them (its own id), linked to the DeskQuest agent their points go to."""
    id = fields.IntField(primary_key=True)
    connection: fields.ForeignKeyRelation[Connection] = fields.ForeignKeyField(
        'models.Connection', related_name='identities', on_delete=fields.CASCADE)
    connection_id: int
    external_id = fields.CharField(max_length=64)
    name = fields.CharField(max_length=120)
    email = fields.CharField(max_length=200, null=True)
    agent = fields.ForeignKeyField('models.Agent', related_name='helpdesk_identities', on_delete=fields.CASCADE)
    agent_id: int
    created_agent = fields.BooleanField(default=False)  # the agent was made for this identity (no login yet)

    class Meta:
        table = 'helpdesk_identity'
        unique_together = (('connection', 'external_id'),)
