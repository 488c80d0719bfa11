"""The agents' work on conversations besides the thread itself: tags, internal notes and transfers."""
from tortoise import fields
from tortoise.models import Model


class ConversationTag(Model):
    """One tag on one conversation (normalised: lower case, see ``services.inbox.normalise_tag``)."""
    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation = fields.ForeignKeyField('models.Conversation', related_name='tags')
    conversation_id: int
    tag = fields.CharField(max_length=32, db_index=True)
    agent_id = fields.IntField(null=True)  # who added it
    created_at = fields.DatetimeField()

    class Meta:
        table = 'conversation_tag'
        unique_together = (('conversation_id', 'tag'),)


class InternalNote(Model):
    """A note agents leave on a conversation for each other; kept apart from the messages so it never reaches the
    customer."""
    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation = fields.ForeignKeyField('models.Conversation', related_name='notes')
    conversation_id: int
    agent_id = fields.IntField(null=True)
    body = fields.TextField()
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = 'internal_note'


class Transfer(Model):
    """A conversation handed to another agent or to a department's queue, with the sender's note."""
    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation = fields.ForeignKeyField('models.Conversation', related_name='transfers')
    conversation_id: int
    from_agent_id = fields.IntField(null=True)  # who transferred it
    previous_assignee_id = fields.IntField(null=True)
    to_agent_id = fields.IntField(null=True)
    to_department_id = fields.IntField(null=True)
    note = fields.TextField(default='')
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = 'transfer'
