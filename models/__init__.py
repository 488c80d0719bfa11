"""Tortoise models: the helpdesk's state, the append-only event log and the game's stored projections."""
from models.badges import BadgeDefinitionRow, BadgeHolding, BadgeImage, LevelRow, TeamBadgeSetting
from models.chat import ChatMessage
from models.crm import Purchase
from models.game import AgentScore, DailyPoints, LedgerEntry, SchemaInfo, StoredEvent
from models.helpdesk import CannedReply, Conversation, Customer, Department, Message
from models.people import Agent, Team
from models.workspace import ConversationTag, InternalNote, Transfer

__all__ = [
    'Agent',
    'AgentScore',
    'BadgeDefinitionRow',
    'BadgeHolding',
    'BadgeImage',
    'CannedReply',
    'ChatMessage',
    'DailyPoints',
    'Conversation',
    'ConversationTag',
    'Customer',
    'Department',
    'InternalNote',
    'LevelRow',
    'LedgerEntry',
    'Message',
    'Purchase',
    'SchemaInfo',
    'StoredEvent',
    'Team',
    'TeamBadgeSetting',
    'Transfer',
]
