"""What leads configure: agents' departments and skills, routing, automation rules and SLA policies."""
from tortoise import fields
from tortoise.models import Model


class AgentDepartment(Model):
    """An agent belongs to a department: routing gives them that department's conversations."""
    id = fields.IntField(primary_key=True)
    agent = fields.ForeignKeyField('models.Agent', related_name='department_memberships', on_delete=fields.CASCADE)
    agent_id: int
    department = fields.ForeignKeyField('models.Department', related_name='members', on_delete=fields.CASCADE)
    department_id: int

    class Meta:
        table = 'agent_department'
        unique_together = (('agent', 'department'),)


class AgentSkills(Model):
    """How routing treats one agent; an agent without a row has the defaults (every channel, capacity 3)."""
    agent = fields.OneToOneField('models.Agent', related_name='skills', primary_key=True, on_delete=fields.CASCADE)
    agent_id: int
    channels = fields.JSONField(default=list)  # the channels the agent has the skill for (shared model)
    capacity = fields.IntField(default=3)  # at most this many conversations in hand (customer waiting on them)
    dedicated_channel = fields.CharField(max_length=16, null=True)  # the one channel served in the dedicated model

    class Meta:
        table = 'agent_skills'


class RoutingSettings(Model):
    """One row (id 1): how new conversations reach agents."""
    id = fields.IntField(primary_key=True)
    mode = fields.CharField(max_length=16, default='off')  # off | round_robin | least_busy
    model = fields.CharField(max_length=16, default='shared')  # shared | dedicated

    class Meta:
        table = 'routing_settings'


class AutomationRule(Model):
    """A lead's rule: an action rule (when a conversation arrives or the customer writes) or a time rule."""
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80)
    trigger = fields.CharField(max_length=32)  # see services/helpdesk/automation.py TRIGGERS
    conditions = fields.JSONField(default=list)  # [{'field': 'text', 'operator': 'contains_any', 'value': [...]}]
    action = fields.CharField(max_length=32)
    value = fields.CharField(max_length=2000, default='')  # the action's argument: a department id, a message, …
    delay_minutes = fields.IntField(default=0)  # time rules: how long after the moment the trigger names
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()
    checked_until = fields.DatetimeField(null=True)  # time rules: moments up to here were handled
    last_error = fields.CharField(max_length=300, default='')  # why the rule last failed at run time, if it did

    class Meta:
        table = 'automation_rule'


class SlaPolicy(Model):
    """First-response and resolution targets for one priority, and what happens shortly before a breach."""
    id = fields.IntField(primary_key=True)
    priority = fields.CharField(max_length=16, unique=True)
    first_response_minutes = fields.IntField()
    resolution_minutes = fields.IntField()
    escalate_at_percent = fields.IntField(default=80)  # escalate once this share of a target has passed
    # none | notify_lead | reassign | raise_priority
    escalation = fields.CharField(max_length=16, default='notify_lead')

    class Meta:
        table = 'sla_policy'
