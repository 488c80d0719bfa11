"""The rewards store: rewards leads offer, and the agents' redemptions of them (their events are in the log)."""
from tortoise import fields
from tortoise.models import Model


class Reward(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=60)
    description = fields.CharField(max_length=300, default='')
    cost = fields.IntField()  # in spendable points
    stock = fields.IntField(null=True)  # None: unlimited
    active = fields.BooleanField(default=True)  # inactive rewards are hidden from agents, their redemptions stay
    # the texts in other languages than the default one (issue 16): {language: {name, description}}
    translations = fields.JSONField(default=dict, db_default='{}')

    class Meta:
        table = 'reward'


class Redemption(Model):
    """An agent spent points on a reward; a lead approves it or denies it (which refunds and restores the stock)."""
    id = fields.IntField(primary_key=True)
    reward_id = fields.IntField()
    reward_name = fields.CharField(max_length=60)  # as it was called when redeemed
    agent_id = fields.IntField(db_index=True)
    cost = fields.IntField()  # as it cost when redeemed
    status = fields.CharField(max_length=16, default='pending', db_index=True)  # pending | approved | denied
    requested_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by_id = fields.IntField(null=True)
    note = fields.CharField(max_length=200, default='')

    class Meta:
        table = 'redemption'
