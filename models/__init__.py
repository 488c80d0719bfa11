"""Tortoise models: the helpdesk's state, the append-only event log and the game's stored projections."""
from models.analytics import AnalyticsDay, AnalyticsVolume
from models.api import ApiIdempotency, ApiToken
from models.badges import BadgeDefinitionRow, BadgeHolding, BadgeImage, LevelRow, TeamBadgeSetting
from models.chat import ChatMessage
from models.crm import Purchase
from models.displays import Display, PublicProfile
from models.game import AgentScore, DailyPoints, LedgerEntry, ScoringPolicyRow, StoredEvent
from models.helpdesk import CannedReply, Conversation, Customer, Department, Message
from models.incentives import Incentive
from models.integrations import Connection, Delivery, HelpdeskIdentity
from models.levels import LevelReached
from models.people import Agent, Team
from models.quests import QuestRow
from models.rewards import Redemption, Reward
from models.routing import AgentDepartment, AgentSkills, AutomationRule, RoutingSettings, SlaPolicy
from models.sessions import LoginSession
from models.workspace import ConversationTag, InternalNote, Transfer

__all__ = [
    'AnalyticsDay',
    'AnalyticsVolume',
    'ApiIdempotency',
    'ApiToken',
    'Agent',
    'AgentDepartment',
    'AgentSkills',
    'AutomationRule',
    'AgentScore',
    'BadgeDefinitionRow',
    'BadgeHolding',
    'BadgeImage',
    'CannedReply',
    'ChatMessage',
    'Connection',
    'DailyPoints',
    'Display',
    'Delivery',
    'Conversation',
    'ConversationTag',
    'Customer',
    'Department',
    'HelpdeskIdentity',
    'Incentive',
    'InternalNote',
    'LevelReached',
    'LevelRow',
    'LoginSession',
    'LedgerEntry',
    'Message',
    'Purchase',
    'PublicProfile',
    'QuestRow',
    'Redemption',
    'Reward',
    'RoutingSettings',
    'ScoringPolicyRow',
    'SlaPolicy',
    'StoredEvent',
    'Team',
    'TeamBadgeSetting',
    'Transfer',
]
