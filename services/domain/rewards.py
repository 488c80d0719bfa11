"""The rewards store's rules: what a reward may be, and the spendable balance as a fold over redemption events.

An agent's spendable balance is separate from their lifetime points and level: points earned (the ledger's sum) minus
what they redeemed (pending or approved) plus what was refunded (denied). The log holds every redemption and decision,
so a replay gives every balance back.
"""
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.i18n import N_, Translations, _, localized, ngettext
from services.domain.text import checked_text, checked_translations, empty_refusal
from services.domain.wording import number

MAX_NAME = 60
MAX_DESCRIPTION = 300
MAX_COST = 100_000
MAX_STOCK = 10_000
REWARD_TEXTS = {'name': MAX_NAME, 'description': MAX_DESCRIPTION}  # what a reward's translations hold


class RedemptionStatus(str, Enum):
    PENDING = 'pending'
    APPROVED = 'approved'
    DENIED = 'denied'  # refunded, stock restored


SPENDING = (RedemptionStatus.PENDING, RedemptionStatus.APPROVED)  # what counts against the balance


@dataclass(frozen=True, kw_only=True, slots=True)
class RewardDraft:
    """What a lead typed into the reward form, before it is checked."""
    name: str
    description: str = ''
    cost: int
    stock: int | None = None  # None: unlimited
    active: bool = True
    translations: Translations = field(default_factory=dict)  # {language: {name, description}} (issue 16)


@dataclass(frozen=True, kw_only=True, slots=True)
class RewardView:
    id: int
    name: str
    description: str
    cost: int
    stock: int | None
    active: bool
    translations: Translations = field(default_factory=dict, compare=False)

    @property
    def shown_name(self) -> str:
        """The name in the reader's language (read when shown), else the default one."""
        return localized(self.name, self.translations, 'name')

    @property
    def shown_description(self) -> str:
        return localized(self.description, self.translations, 'description')

    @property
    def available(self) -> bool:
        return self.active and (self.stock is None or self.stock > 0)

    @property
    def stock_text(self) -> str:
        """The stock as a person reads it, in their language (read when shown)."""
        if self.stock is None:
            return _('unlimited')
        if self.stock == 0:
            return _('out of stock')
        return ngettext('{count} left', '{count} left', self.stock).format(count=number(self.stock))


@dataclass(frozen=True, kw_only=True, slots=True)
class RedemptionView:
    id: int
    agent_id: int
    agent_name: str
    reward_id: int
    reward_name: str
    cost: int
    status: RedemptionStatus
    requested_at: datetime
    decided_at: datetime | None = None
    note: str = ''
    # the reward's translations while it is still called ``reward_name`` (a renamed reward's old name stays as it was)
    reward_translations: Translations = field(default_factory=dict, compare=False)

    @property
    def shown_reward_name(self) -> str:
        """The reward's name in the reader's language (read when shown), else as it was called when redeemed."""
        return localized(self.reward_name, self.reward_translations, 'name')


@dataclass(frozen=True, kw_only=True, slots=True)
class Balance:
    earned: int  # lifetime points: the ledger's sum
    spent: int  # redeemed, pending or approved (denied ones are refunded)

    @property
    def available(self) -> int:
        return self.earned - self.spent


def problems_with(draft: RewardDraft) -> list[str]:
    """Everything wrong with a reward draft, each as a sentence a lead can act on (empty: it may be saved)."""
    problems = []
    try:
        checked_text(draft.name, N_('Name'), MAX_NAME, name=True, empty=empty_refusal(N_('Name')))
    except ActionError as error:
        problems.append(str(error))
    try:
        checked_text(draft.description, N_('Description'), MAX_DESCRIPTION, multiline=True)
    except ActionError as error:
        problems.append(str(error))
    if not 1 <= draft.cost <= MAX_COST:
        problems.append(ngettext('Cost: between 1 and {max_cost} point.', 'Cost: between 1 and {max_cost} points.',
                                 MAX_COST).format(max_cost=number(MAX_COST)))
    if draft.stock is not None and not 0 <= draft.stock <= MAX_STOCK:
        problems.append(_('Stock: between 0 and {max_stock} (leave it empty for unlimited).').format(
            max_stock=number(MAX_STOCK)))
    try:
        checked_translations(draft.translations, REWARD_TEXTS)
    except ActionError as error:
        problems.append(str(error))
    return problems


@dataclass(frozen=True, kw_only=True, slots=True)
class FoldedRedemption:
    agent_id: int
    cost: int
    status: RedemptionStatus


class Spending:
    """Every redemption's agent, cost and status, folded from the log: what :func:`spent` is computed from."""

    def __init__(self) -> None:
        self.redemptions: dict[int, FoldedRedemption] = {}

    def apply(self, event: GameEvent) -> None:
        if event.kind == EventKind.REWARD_REDEEMED and event.agent_id is not None:
            self.redemptions[event.data['redemption_id']] = FoldedRedemption(
                agent_id=event.agent_id, cost=event.data['cost'], status=RedemptionStatus.PENDING)
        elif event.kind in (EventKind.REDEMPTION_APPROVED, EventKind.REDEMPTION_DENIED):
            redemption = self.redemptions.get(event.data['redemption_id'])
            if redemption is not None:
                status = RedemptionStatus.APPROVED if event.kind == EventKind.REDEMPTION_APPROVED else \
                    RedemptionStatus.DENIED
                self.redemptions[event.data['redemption_id']] = FoldedRedemption(
                    agent_id=redemption.agent_id, cost=redemption.cost, status=status)

    def spent(self) -> dict[int, int]:
        """Per agent, the points their pending and approved redemptions hold."""
        spent: dict[int, int] = {}
        for redemption in self.redemptions.values():
            if redemption.status in SPENDING:
                spent[redemption.agent_id] = spent.get(redemption.agent_id, 0) + redemption.cost
        return spent
