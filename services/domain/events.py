"""The facts the event log records, as frozen values the pure rules can fold over."""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class EventKind(str, Enum):
    CONVERSATION_CREATED = 'conversation_created'
    CUSTOMER_MESSAGE = 'customer_message'
    ASSIGNED = 'assigned'
    REPLIED = 'replied'
    RESOLVED = 'resolved'
    REOPENED = 'reopened'
    RATED = 'rated'
    ABANDONED = 'abandoned'  # the customer hung up (or left the chat) before anyone answered
    # the workspace (issue 3): each is one line of the log with its actor, so badges and the monitor can fold them
    TAGGED = 'tagged'  # data: tag
    UNTAGGED = 'untagged'  # data: tag
    NOTE_ADDED = 'note_added'  # internal note, never sent to the customer; data: length
    # the resolver confirms or declines a colleague's assist on their standing resolution (issue 18); data:
    # assister_id, assister_name, confirmed, resolver_name
    ASSIST_DECIDED = 'assist_decided'
    TRANSFERRED = 'transferred'  # agent_id: who transferred; data: to_agent_id, to_department_id, note_length
    VIEWED = 'viewed'  # an agent had the conversation open; data: seconds
    PRIORITY_CHANGED = 'priority_changed'  # data: priority, previous, by ('agent' | 'rule' | 'sla')
    ESCALATED = 'escalated'  # an SLA policy acted before a breach; data: policy, target, action
    RULE_APPLIED = 'rule_applied'  # an automation rule acted; data: rule_id, rule, action
    PRESENCE_CHANGED = 'presence_changed'  # data: status, previous, seconds (time spent in the previous status)
    CHAT_MESSAGE = 'chat_message'  # internal chat between agents; data: length, to_agent_id, references
    CUSTOMER_UPDATED = 'customer_updated'  # CRM card edited; data: fields
    CANNED_REPLY_SAVED = 'canned_reply_saved'  # data: canned_reply_id, shortcut, shared
    CANNED_REPLY_DELETED = 'canned_reply_deleted'  # data: canned_reply_id, shortcut
    # a lead changed departments, skills, routing, rules or SLA policies (issue 3, helper C); data: what, id, name
    WORKSPACE_CONFIGURED = 'workspace_configured'
    # the game's store, incentives and disputes (issue 4); data.by is the lead who acted
    REWARD_SAVED = 'reward_saved'  # agent_id: the lead; data: reward_id, name, cost, stock, active
    REWARD_REDEEMED = 'reward_redeemed'  # agent_id: who spends; data: redemption_id, reward_id, reward, cost
    REDEMPTION_APPROVED = 'redemption_approved'  # agent_id: who redeemed; data: redemption_id, cost, by
    REDEMPTION_DENIED = 'redemption_denied'  # refunds, restores stock; agent_id: who redeemed; data: redemption_id,
    # cost, by, note
    INCENTIVE_SAVED = 'incentive_saved'  # agent_id: the lead; data: the incentive (services/domain/incentives.py)
    INCENTIVE_DELETED = 'incentive_deleted'  # agent_id: the lead; data: incentive_id, name
    RATING_INVALIDATED = 'rating_invalidated'  # a lead upheld a dispute; agent_id: who was rated; data:
    # rated_event_id, rating, reason, by, awards (the ledger entries the rating caused, compensated)
    # an agent's side of a dispute (issue 15): agent_id: the agent who disputes their own rating, the actor; data:
    # rated_event_id, rating, reason, by. Once per rating (key rating_disputed:{rated_event_id}); nothing is scored
    RATING_DISPUTED = 'rating_disputed'
    # a lead turned a dispute down; agent_id: who was rated; data: rated_event_id, rating, reason, by (the lead)
    DISPUTE_REJECTED = 'dispute_rejected'
    # the game's editable parts (issue 4): an edit is a line of the log, so a replay folds it at the same point
    LEVELS_CHANGED = 'levels_changed'  # a lead edited the levels; data: levels (the whole table), by
    BADGES_CHANGED = 'badges_changed'  # a lead edited the badges; data: badges (every definition), by
    SCORING_CHANGED = 'scoring_changed'  # a lead edited the scoring values; data: policy (every value), by
    QUESTS_CHANGED = 'quests_changed'  # a lead edited the quests; data: quests (every definition), by
    # a quest or team mission reached its target (services/game/quests.py); no agent_id: data.agent_ids are rewarded;
    # data: quest, title, scope, holder, team_id, agent_ids, points, domain, badge, value, target and the completing
    # event's event_id, conversation_id, by
    QUEST_COMPLETED = 'quest_completed'
    # a lead let an account log in again before its failed logins expired (issue 19); agent_id: the lead; data: id,
    # username (the account), by
    ACCOUNT_UNLOCKED = 'account_unlocked'
    # accounts managed by a lead (issue 19); agent_id: the lead; data: id, username (the account), by, and:
    ACCOUNT_CREATED = 'account_created'  # + display_name, role, team_id
    ACCOUNT_DISABLED = 'account_disabled'  # the account's sessions end; it cannot log in until enabled
    ACCOUNT_ENABLED = 'account_enabled'
    ACCOUNT_ROLE_CHANGED = 'account_role_changed'  # + role_before, role; the account's sessions end
    PASSWORD_RESET = 'password_reset'  # a lead set a new password; the account's sessions end (no hash in the log)
    # a person changed their own password (issue 19); agent_id: themselves; data: id, username, by; their other
    # sessions end
    PASSWORD_CHANGED = 'password_changed'
    # a person chose the language of their screens (issue 16); agent_id: themselves; data: id, username, by, language
    LANGUAGE_CHANGED = 'language_changed'
    # REST API tokens (issue 14); agent_id: the lead (None from the command line); data: id, name, scope, prefix, by
    API_TOKEN_CREATED = 'api_token_created'
    API_TOKEN_REVOKED = 'api_token_revoked'
    # connected helpdesks (issue 14); agent_id: the lead (None from the command line); data: id (the connection), by
    CONNECTION_CREATED = 'connection_created'  # + kind, name, signed (never the secret)
    CONNECTION_CHANGED = 'connection_changed'  # + change: 'secret' (re-entered) | 'deactivated'
    HELPDESK_AGENT_INVITED = 'helpdesk_agent_invited'  # an agent a helpdesk named got a login; data: id, username, by
    # a lead merged an agent made for a helpdesk identity into an existing agent; agent_id: the agent merged into;
    # data: from_agent_id, points (by domain) and counters (resolved, replies, …) moved, names, by. The fold moves them
    # with new ledger entries; the earlier events stay the merged agent's
    AGENT_MERGED = 'agent_merged'
    # an agent thanked a colleague (issue 20); agent_id: the colleague thanked (the award is theirs); data: by (who
    # thanked), from_name, message, points (the award, carried so that a later rule change does not rewrite it)
    KUDOS_SENT = 'kudos_sent'
    # a lead marked a team as working in another helpdesk or not (issue 14); agent_id: the lead; data: team_id, name,
    # external (its agents then see no inbox, and their inbox actions are refused), by
    TEAM_HELPDESK_CHANGED = 'team_helpdesk_changed'
    # an agent's conversations went back to the queue (issue 15): agent_id: the lead (None: the grace sweep); data:
    # from_agent_id, conversation_ids, channels, by ('lead' | 'grace'), status (the agent's, for 'grace')
    RELEASED = 'released'
    # wall displays (issue 15); agent_id: the lead; data: id, name, by (+ teams, slides, seconds, language when created)
    DISPLAY_CREATED = 'display_created'
    DISPLAY_LANGUAGE_CHANGED = 'display_language_changed'  # data: id, name, language, by (issue 16)
    DISPLAY_CODE_ISSUED = 'display_code_issued'  # a new pairing code (re-pairing): the paired TV is let go at pairing
    DISPLAY_REVOKED = 'display_revoked'
    DISPLAY_PAIRED = 'display_paired'  # a TV typed the code; agent_id: None (no one logs in on a TV); data: id, name
    # how an agent appears on public screens (issue 15); agent_id: themselves; data: alias, opted_out
    PUBLIC_PROFILE_CHANGED = 'public_profile_changed'
    # the cooperative queue boss (issue 20, services/domain/boss.py); agent_id: the lead (None: the queue rule)
    BOSS_STARTED = 'boss_started'  # data: number, name, health, points, deadline, reason ('lead' | 'queue'), by
    BOSS_ENDED = 'boss_ended'  # the sweeper at the deadline of a fight not beaten; data: number, by (None)
    BOSS_SETTINGS_CHANGED = 'boss_settings_changed'  # data: automatic, threshold, minutes, by
    # a lead edited the seasons of the boards (issue 20); agent_id: the lead; data: seasons (every season: name, start,
    # end as ISO dates), by
    SEASONS_CHANGED = 'seasons_changed'
    # a lead changed the wellbeing caps (issue 20, services/domain/wellbeing.py); agent_id: the lead; data:
    # daily_hours, break_after_minutes (0: off), by
    WELLBEING_CHANGED = 'wellbeing_changed'
    # an agent opened their recap of a finished season (issue 20), so the dashboard stops offering it; agent_id: the
    # agent; data: season (its name), start, end; key: season_recap_opened:{agent}:{start}, once per agent and season
    SEASON_RECAP_OPENED = 'season_recap_opened'
    # a lead set a team's working hours (issue 18, services/domain/business_hours.py); agent_id: the lead; data:
    # team_id, team (its name), calendar (WorkingCalendar.as_dict(); None: 24/7), by. RESOLVED's data.team_id is the
    # resolving agent's team, whose hours in force time the resolution
    WORKING_HOURS_CHANGED = 'working_hours_changed'


class Channel(str, Enum):
    EMAIL = 'email'
    CHAT = 'chat'
    PHONE = 'phone'
    SOCIAL = 'social'


class Rating(str, Enum):
    GOOD = 'good'
    NEUTRAL = 'neutral'
    BAD = 'bad'


@dataclass(frozen=True, kw_only=True, slots=True)
class GameEvent:
    """One committed line of the event log.

    ``data`` carries everything the rules need (channel, timestamps, counts) so that scoring never reads other tables.
    """
    id: int
    key: str
    kind: EventKind
    occurred_at: datetime
    agent_id: int | None = None
    conversation_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
