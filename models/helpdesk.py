from tortoise import fields
from tortoise.models import Model


class Customer(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=160)
    email = fields.CharField(max_length=200, default='')
    language = fields.CharField(max_length=8, default='en')
    # the CRM card (issue 3): all defaulted, so a customer known only by name and address stays valid
    other_emails = fields.JSONField(default=list)  # more addresses besides ``email``
    phone = fields.CharField(max_length=40, default='')
    social_handle = fields.CharField(max_length=80, default='')
    company = fields.CharField(max_length=120, default='')
    notes = fields.TextField(default='')
    custom_fields = fields.JSONField(default=dict)  # the team's own key/value facts about a customer

    class Meta:
        table = 'customer'


class Department(Model):
    """A group conversations are routed to (billing, technical, sales, …)."""
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80, unique=True)
    description = fields.CharField(max_length=300, default='')

    class Meta:
        table = 'department'


class Conversation(Model):
    """One ticket: a thread with one customer on one channel."""
    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField('models.Customer',
                                                                           related_name='conversations')
    customer_id: int
    channel = fields.CharField(max_length=16)  # email | chat | phone | social
    subject = fields.CharField(max_length=200, default='')
    status = fields.CharField(max_length=16, default='new', db_index=True)  # new | open | pending | resolved
    priority = fields.CharField(max_length=16, default='normal')  # low | normal | high | urgent
    assignee = fields.ForeignKeyField('models.Agent', related_name='conversations', null=True,
                                      on_delete=fields.SET_NULL)
    assignee_id: int | None
    created_at = fields.DatetimeField()
    waiting_since = fields.DatetimeField(null=True)  # last customer message not yet answered
    first_response_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    sla_due_at = fields.DatetimeField()  # resolution target
    first_response_due_at = fields.DatetimeField(null=True)  # first-response target (SLA policies)
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        'models.Department', related_name='conversations', null=True, on_delete=fields.SET_NULL)
    department_id: int | None
    inbound_count = fields.IntField(default=0)
    rating = fields.CharField(max_length=8, null=True)  # the customer's rating of the latest resolution
    rating_comment = fields.CharField(max_length=500, null=True)  # what the customer wrote with that rating
    # a conversation of a connected helpdesk (issue 14): its id there; None for the built-in inbox's own
    connection = fields.ForeignKeyField('models.Connection', related_name='conversations', null=True,
                                        on_delete=fields.SET_NULL)
    connection_id: int | None
    external_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = 'conversation'
        unique_together = (('connection', 'external_id'),)


class Message(Model):
    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        'models.Conversation', related_name='messages')
    conversation_id: int
    author_kind = fields.CharField(max_length=16)  # customer | agent
    agent = fields.ForeignKeyField('models.Agent', related_name='messages', null=True, on_delete=fields.SET_NULL)
    agent_id: int | None
    body = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = 'message'


class CannedReply(Model):
    """A predefined answer: shared (no owner, edited by leads) or an agent's personal one.

    A shortcut is unique per owner scope (checked by ``CannedReplyService``): a personal reply may reuse a shared
    shortcut, and then wins for its owner.
    """
    id = fields.IntField(primary_key=True)
    shortcut = fields.CharField(max_length=40, db_index=True)
    title = fields.CharField(max_length=120)
    body = fields.TextField()
    language = fields.CharField(max_length=8, default='en')
    owner = fields.ForeignKeyField('models.Agent', related_name='canned_replies', null=True,
                                   on_delete=fields.CASCADE)  # None: shared with the whole floor
    owner_id: int | None
    department = fields.ForeignKeyField('models.Department', related_name='canned_replies', null=True,
                                        on_delete=fields.SET_NULL)
    department_id: int | None
    usage_count = fields.IntField(default=0)  # replies sent with it

    class Meta:
        table = 'canned_reply'
