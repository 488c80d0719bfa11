"""The rewards store: leads keep the rewards, agents redeem them from their spendable balance, leads decide.

Every change is one unit of work of the game's single writer with its event, so the balance check and the spending are
one step: two clicks at once are two steps one after the other, and the second sees the first's spending.
"""
from nicegui import Event
from tortoise.expressions import F

from models import Redemption, Reward
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.i18n import N_, Nn_, _, pgettext, phrase
from services.domain.rewards import (
    MAX_DESCRIPTION,
    MAX_NAME,
    REWARD_TEXTS,
    SPENDING,
    Balance,
    RedemptionStatus,
    RedemptionView,
    RewardDraft,
    RewardView,
    problems_with,
)
from services.domain.text import MAX_REASON, checked_text, checked_translations
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService
from services.platform.notices import Notice, Notices

RECENT = 50
# events after which another process's rewards (their stock, their terms) or redemptions differ from this one's
REWARD_CHANGES = frozenset({EventKind.REWARD_SAVED, EventKind.REWARD_REDEEMED, EventKind.REDEMPTION_APPROVED,
                            EventKind.REDEMPTION_DENIED})


class RewardService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory, notices: Notices) -> None:
        self.clock = clock
        self.game = game
        self.directory = directory
        self.notices = notices
        self.rewards: dict[int, RewardView] = {}  # few, read by every open store page: kept in memory
        self.catalogue_changed: Event[list[RewardView]] = Event()  # the rewards agents see, after any change
        self.redemptions_changed: Event[None] = Event()  # a redemption was made or decided: approval queues re-read

    async def load(self) -> None:
        self.rewards = {reward.id: _view(reward) for reward in await Reward.all()}

    async def refresh(self, events: list[GameEvent]) -> None:
        """Other processes' events (PostgreSQL): after a reward saved, redeemed or decided there, read the rewards
        again and tell the store pages and approval queues here, as a change made here does."""
        if any(event.kind in REWARD_CHANGES for event in events):
            await self.load()
            self.catalogue_changed.emit(self.catalogue())
            self.redemptions_changed.emit()

    def catalogue(self) -> list[RewardView]:
        """The active rewards, cheapest first (out-of-stock ones included: agents see what comes back)."""
        return sorted((reward for reward in self.rewards.values() if reward.active),
                      key=lambda reward: (reward.cost, reward.name))

    def all_rewards(self) -> list[RewardView]:
        return sorted(self.rewards.values(), key=lambda reward: (not reward.active, reward.cost, reward.name))

    async def balance(self, agent_id: int) -> Balance:
        """What the agent may spend: points earned (the ledger's sum) minus pending and approved redemptions."""
        metrics = self.game.projection.agents.get(agent_id)
        spent = await Redemption.filter(agent_id=agent_id, status__in=[status.value for status in SPENDING]) \
            .values_list('cost', flat=True)
        return Balance(earned=metrics.points if metrics else 0, spent=sum(spent))

    async def redeem(self, actor: AgentView, reward_id: int) -> RedemptionView:
        """Spend points on a reward: checked and spent in one unit of work, so two clicks never spend twice."""
        if actor.is_lead:
            raise ActionError(_('Leads do not collect points, so they cannot redeem rewards.'))
        async with self.game.unit_of_work() as work:
            reward = await Reward.get_or_none(id=reward_id)
            if reward is None or not reward.active:
                raise ActionError(_('That reward is no longer offered.'))
            if reward.stock is not None and reward.stock <= 0:
                raise ActionError(_('{reward} is out of stock.').format(reward=reward.name))
            balance = await self.balance(actor.id)
            if balance.available < reward.cost:
                raise ActionError(
                    _('{reward} costs {cost} points; you have {available} to spend.')
                    .format(reward=reward.name, cost=reward.cost, available=balance.available))
            if reward.stock is not None:
                await Reward.filter(id=reward.id).update(stock=F('stock') - 1)
                reward.stock -= 1
            redemption = await Redemption.create(reward_id=reward.id, reward_name=reward.name, agent_id=actor.id,
                                                 cost=reward.cost, requested_at=self.clock.now())
            await work.record(EventKind.REWARD_REDEEMED, agent_id=actor.id,
                              data={'redemption_id': redemption.id, 'reward_id': reward.id, 'reward': reward.name,
                                    'cost': reward.cost})
            view, stored = self._redemption_view(redemption), _view(reward)
            work.after_commit(lambda: (self._store(stored), self.redemptions_changed.emit()))
        return view

    async def decide(self, actor: AgentView, redemption_id: int, *, approve: bool, note: str = '') -> RedemptionView:
        """A lead approves a pending redemption, or denies it: that refunds the points and restores the stock."""
        _check_lead(actor)
        note = checked_text(note, N_('Note'), MAX_REASON, multiline=True)
        async with self.game.unit_of_work() as work:
            redemption = await Redemption.get_or_none(id=redemption_id)
            if redemption is None:
                raise ActionError(_('That redemption does not exist.'))
            if redemption.status != RedemptionStatus.PENDING.value:
                raise ActionError(
                    _('{reward} was already {status}.')
                    .format(reward=redemption.reward_name, status=pgettext('redemption', redemption.status)))
            redemption.status = (RedemptionStatus.APPROVED if approve else RedemptionStatus.DENIED).value
            redemption.decided_at = self.clock.now()
            redemption.decided_by_id = actor.id
            redemption.note = note
            await redemption.save()
            reward = await Reward.get_or_none(id=redemption.reward_id)
            if not approve and reward is not None and reward.stock is not None:
                await Reward.filter(id=reward.id).update(stock=F('stock') + 1)
                reward.stock += 1
            await work.record(EventKind.REDEMPTION_APPROVED if approve else EventKind.REDEMPTION_DENIED,
                              agent_id=redemption.agent_id, data={'redemption_id': redemption.id,
                                                                  'cost': redemption.cost, 'by': actor.id,
                                                                  'note': note})
            view = self._redemption_view(redemption)
            if approve:
                words = phrase(N_('{reward} was approved, enjoy!'), reward=view.reward_name)
            elif note:
                words = phrase(*Nn_('{reward} was denied and its {cost} point refunded: {note}',
                               '{reward} was denied and its {cost} points refunded: {note}'), view.cost,
                               reward=view.reward_name, cost=view.cost, note=note)
            else:
                words = phrase(*Nn_('{reward} was denied and its {cost} point refunded.',
                               '{reward} was denied and its {cost} points refunded.'), view.cost,
                               reward=view.reward_name, cost=view.cost)
            notice = Notice(words=words, kind='positive' if approve else 'warning')
            stored = _view(reward) if reward is not None else None

            def published() -> None:
                if stored is not None:
                    self._store(stored)
                self.redemptions_changed.emit()
                self.notices.send(view.agent_id, notice)
            work.after_commit(published)
        return view

    async def save(self, actor: AgentView, draft: RewardDraft, *, reward_id: int | None = None) -> RewardView:
        """Create (no ``reward_id``) or edit a reward; deactivating is an edit (its redemptions stay)."""
        _check_lead(actor)
        if problems := problems_with(draft):
            raise ActionError(' '.join(problems))
        values = dict(name=checked_text(draft.name, N_('Name'), MAX_NAME, name=True),
                      description=checked_text(draft.description, N_('Description'), MAX_DESCRIPTION, multiline=True),
                      cost=draft.cost,
                      stock=draft.stock, active=draft.active,
                      translations=checked_translations(draft.translations, REWARD_TEXTS))
        async with self.game.unit_of_work() as work:
            if reward_id is None:
                reward = await Reward.create(**values)
            else:
                found = await Reward.get_or_none(id=reward_id)
                if found is None:
                    raise ActionError(_('That reward no longer exists.'))
                reward = found
                reward.update_from_dict(values)
                await reward.save()
            await work.record(EventKind.REWARD_SAVED, agent_id=actor.id,
                              data={'reward_id': reward.id, 'created': reward_id is None, **values})
            view = _view(reward)
            work.after_commit(lambda: self._store(view))
        return view

    async def redemptions_of(self, agent_id: int) -> list[RedemptionView]:
        """The agent's latest redemptions, newest first."""
        rows = await Redemption.filter(agent_id=agent_id).order_by('-id').limit(RECENT)
        return [self._redemption_view(row) for row in rows]

    async def pending(self, actor: AgentView) -> list[RedemptionView]:
        """The approval queue, oldest first."""
        _check_lead(actor)
        rows = await Redemption.filter(status=RedemptionStatus.PENDING.value).order_by('id')
        return [self._redemption_view(row) for row in rows]

    async def decided(self, actor: AgentView) -> list[RedemptionView]:
        """The latest decisions, newest first."""
        _check_lead(actor)
        rows = await Redemption.filter(status__not=RedemptionStatus.PENDING.value).order_by('-decided_at', '-id') \
            .limit(RECENT)
        return [self._redemption_view(row) for row in rows]

    def _store(self, view: RewardView) -> None:
        self.rewards[view.id] = view
        self.catalogue_changed.emit(self.catalogue())

    def _redemption_view(self, row: Redemption) -> RedemptionView:
        agent = self.directory.agent(row.agent_id)
        reward = self.rewards.get(row.reward_id)
        translations = reward.translations if reward is not None and reward.name == row.reward_name else {}
        return RedemptionView(reward_translations=translations,
                              id=row.id, agent_id=row.agent_id, agent_name=agent.name if agent else f'#{row.agent_id}',
                              reward_id=row.reward_id, reward_name=row.reward_name, cost=row.cost,
                              status=RedemptionStatus(row.status), requested_at=row.requested_at,
                              decided_at=row.decided_at, note=row.note)


def _check_lead(actor: AgentView) -> None:
    if not actor.is_lead:
        raise ActionError(_('Only a lead can do that.'))


def _view(reward: Reward) -> RewardView:
    return RewardView(id=reward.id, name=reward.name, description=reward.description, cost=reward.cost,
                      stock=reward.stock, active=reward.active, translations=reward.translations or {})
