"""Wall displays (issue 15): a kiosk TV a lead paired, and how each agent wants to appear on such public screens."""
from tortoise import fields
from tortoise.models import Model


class Display(Model):
    """A TV a lead set up. It is paired with a one-time code (only its SHA-256 kept, with its expiry); the paired
    browser then holds a random device token server-side in its NiceGUI user storage, and this row only its SHA-256.
    A revoked display shows nothing again, whatever its browser holds."""
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80)
    team_ids = fields.JSONField(default=list)  # the teams shown; empty: the whole floor
    slides = fields.JSONField(default=list)  # services/domain/displays.py Slide values, in the order shown
    slide_seconds = fields.IntField(default=20)
    # the language its slides, Quasar's texts and the reconnect popup speak, whatever the TV's browser says (issue 16);
    # None (a display made before displays had one): the floor's, the floor_language setting
    language = fields.CharField(max_length=8, null=True)
    created_by = fields.IntField()  # the lead
    created_at = fields.DatetimeField()
    code_hash = fields.CharField(max_length=64, null=True)  # the pairing code waiting to be typed on the TV
    code_expires_at = fields.DatetimeField(null=True)
    device_hash = fields.CharField(max_length=64, null=True, unique=True)  # the paired browser's token
    paired_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'display'


class PublicProfile(Model):
    """How an agent appears on public screens: under an alias (empty: their display name) or not at all."""
    agent_id = fields.IntField(primary_key=True)
    alias = fields.CharField(max_length=80, default='', db_default='')
    opted_out = fields.BooleanField(default=False, db_default=False)
    changed_at = fields.DatetimeField()

    class Meta:
        table = 'public_profile'
