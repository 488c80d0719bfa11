from tortoise import fields
from tortoise.models import Model


class Purchase(Model):
    """Something a customer bought: shown on the CRM card beside their conversations."""
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField('models.Customer', related_name='purchases', on_delete=fields.CASCADE)
    customer_id: int
    product = fields.CharField(max_length=120)
    amount_cents = fields.IntField()
    currency = fields.CharField(max_length=3, default='EUR')
    purchased_at = fields.DatetimeField()

    class Meta:
        table = 'purchase'
