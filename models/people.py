from tortoise import fields
from tortoise.models import Model


class Team(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80, unique=True)
    # the team works in another helpdesk (issue 14): its agents see no inbox here, only the game
    external_helpdesk = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = 'team'


class Agent(Model):
    """A person who logs in: an agent, a lead or an admin."""
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=120)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharField(max_length=16, default='agent')  # agent | lead | admin
    team: fields.ForeignKeyNullableRelation[Team] = fields.ForeignKeyField(
        'models.Team', related_name='agents', null=True, on_delete=fields.SET_NULL)
    team_id: int | None
    is_demo = fields.BooleanField(default=False)  # demo accounts may only log in while the app runs in demo mode
    style = fields.CharField(max_length=16, default='')  # the simulator's working style for this agent
    active = fields.BooleanField(default=True)
    # the address helpdesks and the REST API know the agent by (issue 14); '' when none was given
    email = fields.CharField(max_length=200, default='', db_default='')  # db_default: rows made before it have one

    class Meta:
        table = 'agent'
