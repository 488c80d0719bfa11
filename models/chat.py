from tortoise import fields
from tortoise.models import Model


class ChatMessage(Model):
    """A line of the agents' internal chat: in the team room (no recipient) or a direct message to one agent."""
    id = fields.IntField(primary_key=True)
    author = fields.ForeignKeyField('models.Agent', related_name='chat_messages', on_delete=fields.CASCADE)
    author_id: int
    to_agent = fields.ForeignKeyField('models.Agent', related_name='direct_messages', null=True,
                                      on_delete=fields.CASCADE)
    to_agent_id: int | None
    body = fields.TextField()
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = 'chat_message'
        # the assist credit's lookup (services/helpdesk/team_chat.answers_naming) runs inside a resolution's write
        indexes = (('to_agent_id', 'created_at'),)
