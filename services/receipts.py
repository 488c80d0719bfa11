"""Score receipts: why a ledger entry exists, told from the event that caused it and the conversation's events before.

The facts are worked out from the event's own data with the same policy the fold used, so a receipt says exactly what
the rule saw (how long the resolution took, the SLA due time, the number of customer messages, the rating).
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import LedgerEntry, StoredEvent
from services.directory import AgentView, Directory
from services.game import GameService
from services.inbox import ActionError
from services.scoring import AwardKind, ScoringPolicy

HISTORY_SHOWN = 15  # the conversation's latest events up to the one that scored


@dataclass(frozen=True, kw_only=True, slots=True)
class EventLine:
    at: datetime
    text: str
    scored: bool  # the event the points came from


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceiptDetail:
    title: str  # '+10 fast resolution of #12'
    domain: str
    facts: list[str]  # the rule in words, with the event's numbers
    events: list[EventLine]  # oldest first


def facts(kind: str, event_kind: str, data: Mapping[str, Any], occurred_at: datetime, *,
          policy: ScoringPolicy = ScoringPolicy()) -> list[str]:
    """The rule behind one award, with the numbers of the event it was given for."""
    if kind == AwardKind.FAST_RESOLUTION.value:
        minutes = _minutes(occurred_at - datetime.fromisoformat(data['created_at']))
        return [f'Resolved {minutes} min after the customer wrote in; under '
                f'{_minutes(policy.fast_limit)} min counts as fast (+{policy.fast_resolution} speed).']
    if kind in (AwardKind.ON_TIME_RESOLUTION.value, AwardKind.LATE_RESOLUTION.value):
        due = datetime.fromisoformat(data['sla_due_at'])
        if kind == AwardKind.ON_TIME_RESOLUTION.value:
            return [f'Resolved at {occurred_at:%d %b %H:%M}, before its SLA due time {due:%d %b %H:%M} '
                    f'({policy.on_time_resolution:+d} productivity).']
        return [f'Resolved at {occurred_at:%d %b %H:%M}, after its SLA due time {due:%d %b %H:%M} '
                f'({policy.late_resolution:+d} productivity).']
    if kind == AwardKind.FIRST_CONTACT.value:
        return [f'Resolved after a single customer message: first-contact resolution (+{policy.first_contact} '
                'quality).']
    if kind in (AwardKind.HAPPY_CUSTOMER.value, AwardKind.UNHAPPY_CUSTOMER.value):
        comment = f' and wrote: “{data["comment"]}”' if data.get('comment') else ''
        return [f'The customer rated the resolution {data.get("rating", "")}{comment}.']
    if kind == AwardKind.CLAWBACK.value:
        return [f'The conversation was reopened ({data.get("reason", "")}), so what its resolution earned is taken '
                'back with a new entry; the original entry stays in the history.']
    if kind == AwardKind.DISPUTE.value:
        return [f'A lead invalidated the rating: {data.get("reason", "no reason given")}. What it caused is '
                'compensated with a new entry; the original entry stays in the history.']
    if kind == AwardKind.QUEST.value:
        return [quest_fact(data)]
    if kind == AwardKind.INCENTIVE.value:
        return ['A lead’s incentive was running when this event happened; its extra points are their own entry.']
    return [f'Given for the {event_kind.replace("_", " ")} event.']


def quest_fact(data: Mapping[str, Any]) -> str:
    """'Completed 'Resolve 25 social tickets this week': 25 of 25, the 25th was #123.'"""
    value = f'{data["value"]:g}' if isinstance(data['value'], float) else str(data['value'])
    last = f'the {_ordinal(data["target"])}' if value == str(data['target']) else 'the last'
    what = f' was #{data["conversation_id"]}' if data.get('conversation_id') else f' was event {data["event_id"]}'
    team = ', together as a team' if data.get('team_id') is not None else ''
    return f"Completed '{data['title']}'{team}: {value} of {data['target']}, {last}{what}."


def _ordinal(number: int) -> str:
    suffix = 'th' if 10 <= number % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')
    return f'{number}{suffix}'


def describe(event_kind: str, data: Mapping[str, Any], actor: str) -> str:
    """One line of the conversation's story, for the receipt's list of events."""
    channel = data.get('channel', '')
    match event_kind:
        case 'conversation_created':
            return f'The customer wrote in ({channel})'
        case 'customer_message':
            return 'The customer wrote again'
        case 'assigned':
            return f'Assigned to {actor}' + (' by routing' if data.get('by') == 'routing' else '')
        case 'replied':
            canned = f', canned reply /{data["canned"]}' if data.get('canned') else ''
            return f'{actor} replied ({data.get("length", 0)} characters{canned})'
        case 'resolved':
            return f'{actor} resolved it'
        case 'reopened':
            return f'Reopened ({data.get("reason", "")})'
        case 'rated':
            return f'The customer rated it {data.get("rating", "")}'
        case 'transferred':
            return f'{actor} transferred it'
        case 'quest_completed':
            return f"{'The team' if data.get('team_id') is not None else 'The agent'} completed '{data['title']}'"
        case 'rating_invalidated':
            return f'A lead invalidated the rating: {data.get("reason", "")}'
    return f'{event_kind.replace("_", " ").capitalize()} ({actor})' if actor else \
        event_kind.replace('_', ' ').capitalize()


class ReceiptService:
    def __init__(self, *, directory: Directory, game: GameService) -> None:
        self.directory = directory
        self.game = game  # its projection's scoring policy is the one the awards were given under

    async def explain(self, viewer: AgentView, *, event_id: int, agent_id: int, kind: str) -> ReceiptDetail:
        """The receipt of ``agent_id``'s award of ``kind`` for event ``event_id``: their own, or any for a lead."""
        if agent_id != viewer.id and not viewer.is_lead:
            raise ActionError('Only your own receipts can be opened.')
        entry = await LedgerEntry.filter(event_id=event_id, agent_id=agent_id, kind=kind).order_by('id').first()
        event = await StoredEvent.get_or_none(id=event_id)
        if entry is None or event is None:
            raise ActionError('This receipt no longer exists.')
        history = [event]
        if event.conversation_id is not None:
            history = list(reversed(await StoredEvent.filter(conversation_id=event.conversation_id, id__lte=event.id)
                                    .order_by('-id').limit(HISTORY_SHOWN)))
        return ReceiptDetail(
            title=f'{entry.points:+d} {entry.reason}', domain=entry.domain,
            facts=facts(entry.kind, event.kind, event.data, event.occurred_at, policy=self.game.projection.policy),
            events=[EventLine(at=line.occurred_at, scored=line.id == event.id,
                              text=describe(line.kind, line.data, self._name(line.agent_id))) for line in history])

    def _name(self, agent_id: int | None) -> str:
        agent = self.directory.agent(agent_id) if agent_id is not None else None
        return agent.name if agent else ''


def _minutes(delta) -> int:
    return round(delta.total_seconds() / 60)
