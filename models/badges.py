"""The game's editable tables (badge definitions, levels, a team's choice to show teasing badges) and the badge
holders' history, a stored projection of the event log that ``rebuild --check`` compares with a replay."""
from tortoise import fields
from tortoise.models import Model


class BadgeDefinitionRow(Model):
    """One badge as leads edit it (services/domain/badges.py's BadgeDefinition, field for field); seeded with the
    defaults."""
    key = fields.CharField(max_length=40, primary_key=True)
    position = fields.IntField(default=0)  # the order badges are shown in
    name = fields.CharField(max_length=80)
    description = fields.CharField(max_length=200, default='')
    image = fields.CharField(max_length=120)
    metric = fields.JSONField(null=True)  # {kind, value, where: [{field, operator, values}]}; null for random badges
    aggregation = fields.CharField(max_length=16, default='count')
    window = fields.CharField(max_length=16, default='rolling_7d')
    direction = fields.CharField(max_length=16, default='highest')
    minimum_volume = fields.IntField(default=1)
    teasing = fields.BooleanField(default=False)
    kind = fields.CharField(max_length=16, default='metric')
    rarity = fields.FloatField(default=0.0)
    # the texts in other languages than the default one (issue 16): {language: {name, description}}
    translations = fields.JSONField(default=dict, db_default='{}')

    class Meta:
        table = 'badge_definition'


class BadgeHolding(Model):
    """Who held which badge when: one row per stretch, open (``lost_at`` null) while the agent holds it."""
    id = fields.BigIntField(primary_key=True)
    badge_key = fields.CharField(max_length=40)
    agent_id = fields.IntField(db_index=True)
    gained_at = fields.DatetimeField()
    lost_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'badge_holding'
        indexes = (('badge_key', 'lost_at'),)


class LevelRow(Model):
    """One of the twelve levels as leads edit them; seeded from services/domain/levels.py's presets."""
    number = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=80)
    icon = fields.CharField(max_length=40)
    condition = fields.CharField(max_length=500, default='')
    # the texts in other languages than the default one (issue 16): {language: {title}}
    translations = fields.JSONField(default=dict, db_default='{}')

    class Meta:
        table = 'level'


class TeamBadgeSetting(Model):
    """A team's opt-in to show its teasing badges (Siesta, Coffee, Rebel) publicly."""
    team_id = fields.IntField(primary_key=True)
    show_teasing = fields.BooleanField(default=False)

    class Meta:
        table = 'team_badge_setting'


class BadgeImage(Model):
    """A badge image a lead uploaded (PNG or JPEG, checked by its content), kept in the database with the rest."""
    name = fields.CharField(max_length=60, primary_key=True)  # uploaded/<content hash>.<png|jpg>
    content_type = fields.CharField(max_length=20)
    data = fields.BinaryField()
    uploaded_by = fields.IntField()
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = 'badge_image'
