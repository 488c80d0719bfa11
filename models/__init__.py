"""Tortoise models: the helpdesk's state, the append-only event log and the game's stored projections."""
from models.chat import ChatMessage
from models.crm import Purchase
from models.game import AgentScore, DailyPoints, LedgerEntry, SchemaInfo, StoredEvent
from models.helpdesk import CannedReply, Conversation, Customer, Department, Message
from models.people import Agent, Team
from models.routing import AgentDepartment, AgentSkills, AutomationRule, RoutingSettings, SlaPolicy
from models.workspace import ConversationTag, InternalNote, Transfer

__all__ = [
    'Agent',
    'AgentDepartment',
    'AgentSkills',
    'AutomationRule',
    'AgentScore',
    'CannedReply',
    'ChatMessage',
    'DailyPoints',
    'Conversation',
    'ConversationTag',
    'Customer',
    'Department',
    'InternalNote',
    'LedgerEntry',
    'Message',
    'Purchase',
    'RoutingSettings',
    'SchemaInfo',
    'SlaPolicy',
    'StoredEvent',
    'Team',
    'Transfer',
]
