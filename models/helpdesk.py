from tortoise import fields
from tortoise.models import Model


class Customer(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=160)
    email = fields.CharField(max_length=200, default='')
    language = fields.CharField(max_length=8, default='en')

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
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField('models.Customer', related_name='conversations')
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

    class Meta:
        table = 'conversation'


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
    id = fields.IntField(primary_key=True)
    shortcut = fields.CharField(max_length=40, unique=True)
    title = fields.CharField(max_length=120)
    body = fields.TextField()
    language = fields.CharField(max_length=8, default='en')

    class Meta:
        table = 'canned_reply'
