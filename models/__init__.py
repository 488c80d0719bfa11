"""Tortoise models: the helpdesk's state, the append-only event log and the game's stored projections."""
from models.game import AgentScore, DailyPoints, LedgerEntry, SchemaInfo, StoredEvent
from models.helpdesk import CannedReply, Conversation, Customer, Department, Message
from models.people import Agent, Team
from models.routing import AgentDepartment, AgentSkills, AutomationRule, RoutingSettings, SlaPolicy

__all__ = [
    'Agent',
    'AgentDepartment',
    'AgentSkills',
    'AutomationRule',
    'AgentScore',
    'CannedReply',
    'DailyPoints',
    'Conversation',
    'Customer',
    'Department',
    'LedgerEntry',
    'Message',
    'RoutingSettings',
    'SchemaInfo',
    'SlaPolicy',
    'StoredEvent',
    'Team',
]
