"""The authorization matrix of the services (issue 19, Roles): every lead-only action refuses an agent with a message
saying it is for leads, and writes nothing; every public service method taking an ``actor`` is listed here, so a new
one cannot appear without someone deciding who may call it.

The page half of the matrix is tests/ui/test_authorization.py. A paired kiosk is not a person: it holds no actor and
can only read (services/platform/displays.py ``pair`` and ``check``).
"""
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import fields
from datetime import date, timedelta

import pytest
from tortoise import Tortoise

from services.container import Services
from services.domain.automation import RuleSpec
from services.domain.canned import CannedReplyDraft
from services.domain.errors import ActionError
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.rewards import RewardDraft
from services.domain.scoring import ScoringPolicy
from services.domain.seasons import Season
from services.domain.whatif import RuleSet
from services.game.quests import QuestDraft
from services.helpdesk.sla import SlaPolicyView
from services.platform.accounts import AccountDraft
from services.platform.directory import AgentView

Call = Callable[[Services, AgentView], Awaitable[object]]

SERVICE_PACKAGES = ('services.game.', 'services.helpdesk.')
# platform services with a lead's actions
LEAD_PLATFORM_SERVICES = ('auth', 'accounts', 'sessions', 'api_tokens', 'displays')

# (service attribute, method, how to call it): arguments a lead's call would be accepted with where that is cheap, so
# a missing check shows as a write, not only as a different refusal
LEAD_ONLY: list[tuple[str, str, Call]] = [
    ('badges', 'save', lambda s, actor: s.badges.save(actor, {**s.badges.definitions[0].as_dict(), 'key': 'authz'})),
    ('badges', 'set_team_teasing', lambda s, actor: s.badges.set_team_teasing(actor, next(iter(s.directory.teams)),
                                                                               True)),
    ('badges', 'upload_image', lambda s, actor: s.badges.upload_image(actor, b'\x89PNG\r\n\x1a\n')),
    ('boss', 'start', lambda s, actor: s.boss.start(actor)),
    ('boss', 'save_settings', lambda s, actor: s.boss.save_settings(actor, automatic=False, threshold=20, minutes=45)),
    ('disputes', 'invalidate', lambda s, actor: s.disputes.invalidate(actor, 1, 'A courier problem')),
    ('disputes', 'ratings', lambda s, actor: s.disputes.ratings(actor)),
    ('disputes', 'reject', lambda s, actor: s.disputes.reject(actor, 1, 'The rating stands')),
    ('incentives', 'save', lambda s, actor: s.incentives.save(actor, Incentive(
        name='Authz', kind=IncentiveKind.BONUS, starts_on=date.today(), ends_on=date.today(), bonus_points=5))),
    ('incentives', 'delete', lambda s, actor: s.incentives.delete(actor, 1)),
    ('levels', 'save', lambda s, actor: s.levels.save(actor, 2, title='Rookie', icon='egg', condition='points >= 10')),
    ('levels', 'save_table', lambda s, actor: s.levels.save_table(actor, s.levels.levels)),
    ('rules', 'publish', lambda s, actor: s.rules.publish(actor, RuleSet(policy=ScoringPolicy(happy_customer=11)))),
    ('quests', 'save', lambda s, actor: s.quests.save(actor, QuestDraft(title='Resolve 2', target=2, reward_points=5))),
    ('quests', 'end', lambda s, actor: s.quests.end(actor, 'authz')),
    ('quests', 'publish_draft', lambda s, actor: s.quests.publish_draft(actor, ())),
    ('working_hours', 'save', lambda s, actor: s.working_hours.save(actor, next(iter(s.directory.teams)),
                                                                    'Mon-Fri 09:00-17:00')),
    ('working_hours', 'put', lambda s, actor: s.working_hours.put(actor, next(iter(s.directory.teams)), None)),
    ('rewards', 'save', lambda s, actor: s.rewards.save(actor, RewardDraft(name='Lunch', cost=100))),
    ('rewards', 'decide', lambda s, actor: s.rewards.decide(actor, 1, approve=True)),
    ('rewards', 'pending', lambda s, actor: s.rewards.pending(actor)),
    ('rewards', 'decided', lambda s, actor: s.rewards.decided(actor)),
    ('scoring', 'save', lambda s, actor: s.scoring.save(actor, {})),
    ('scoring', 'reset', lambda s, actor: s.scoring.reset(actor)),
    ('wellbeing', 'save', lambda s, actor: s.wellbeing.save(actor, {'daily_hours': 9, 'break_after_minutes': 120})),
    ('wellbeing', 'make_break_neutral', lambda s, actor: s.wellbeing.make_break_neutral(actor, 'worker')),
    ('automation', 'save_rule', lambda s, actor: s.automation.save_rule(actor, RuleSpec(
        name='Urgent', trigger='conversation_created', action='set_priority', value='urgent'))),
    ('automation', 'set_enabled', lambda s, actor: s.automation.set_enabled(actor, 1, False)),
    ('automation', 'delete_rule', lambda s, actor: s.automation.delete_rule(actor, 1)),
    ('routing', 'set_mode', lambda s, actor: s.routing.set_mode(actor, mode='round_robin', model='shared')),
    ('routing', 'save_agent', lambda s, actor: s.routing.save_agent(actor, actor.id, departments=[],
                                                                      channels=['email'], capacity=3,
                                                                      dedicated_channel=None)),
    ('routing', 'create_department', lambda s, actor: s.routing.create_department(actor, 'Returns')),
    ('routing', 'rename_department', lambda s, actor: s.routing.rename_department(
        actor, next(iter(s.routing.departments)), 'Returns')),
    ('routing', 'delete_department', lambda s, actor: s.routing.delete_department(
        actor, next(iter(s.routing.departments)))),
    # the live monitor's actions (issue 15)
    ('routing', 'set_release_grace', lambda s, actor: s.routing.set_release_grace(actor, 5)),
    ('routing', 'move_agent', lambda s, actor: s.routing.move_agent(actor, actor.id, channel='chat')),
    ('routing', 'set_capacity', lambda s, actor: s.routing.set_capacity(actor, actor.id, 5)),
    ('routing', 'release_agent', lambda s, actor: s.routing.release_agent(actor, actor.id)),
    ('routing', 'reassign', lambda s, actor: s.routing.reassign(actor, s.inbox.items()[0].id, actor.id)),
    ('sla', 'save_policy', lambda s, actor: s.sla.save_policy(actor, SlaPolicyView(
        priority='urgent', first_response_minutes=5, resolution_minutes=60))),
    ('auth', 'unlock', lambda s, actor: s.auth.unlock(actor, actor.id)),
    ('accounts', 'accounts', lambda s, actor: s.accounts.accounts(actor)),
    ('accounts', 'create', lambda s, actor: s.accounts.create(actor, AccountDraft(username='authz',
                                                                                   password='a long passphrase'))),
    ('accounts', 'disable', lambda s, actor: s.accounts.disable(actor, _other(s, actor))),
    ('accounts', 'enable', lambda s, actor: s.accounts.enable(actor, _other(s, actor))),
    ('accounts', 'reset_password', lambda s, actor: s.accounts.reset_password(actor, _other(s, actor),
                                                                               'a long passphrase')),
    ('accounts', 'change_role', lambda s, actor: s.accounts.change_role(actor, _other(s, actor), 'lead')),
    ('api_tokens', 'create', lambda s, actor: s.api_tokens.create(actor, name='Authz', scope='write')),
    ('api_tokens', 'revoke', lambda s, actor: s.api_tokens.revoke(actor, 1)),
    ('connections', 'create', lambda s, actor: s.connections.create(actor, 'chatwoot', 'Authz')),
    ('connections', 'set_secret', lambda s, actor: s.connections.set_secret(actor, 1, 'a secret of sixteen+')),
    ('connections', 'deactivate', lambda s, actor: s.connections.deactivate(actor, 1)),
    ('connections', 'connections', lambda s, actor: s.connections.connections(actor)),
    ('connections', 'deliveries', lambda s, actor: s.connections.deliveries(actor, 1)),
    ('connections', 'replay', lambda s, actor: s.connections.replay(actor, 1)),
    ('connections', 'unlinked_agents', lambda s, actor: s.connections.unlinked_agents(actor)),
    ('connections', 'invite', lambda s, actor: s.connections.invite(actor, 1, 'invited', 'a password of 12+')),
    ('connections', 'merge', lambda s, actor: s.connections.merge(actor, 1, 2)),
    ('connections', 'set_base_url', lambda s, actor: s.connections.set_base_url(actor, 1, 'https://example.com')),
    ('connections', 'team_helpdesks', lambda s, actor: s.connections.team_helpdesks(actor)),
    ('connections', 'set_team_external', lambda s, actor: s.connections.set_team_external(
        actor, next(iter(s.directory.teams)), True)),
    ('displays', 'create', lambda s, actor: s.displays.create(actor, name='Authz', team_ids=[], slides=['today'],
                                                              slide_seconds=20)),
    ('displays', 'issue_code', lambda s, actor: s.displays.issue_code(actor, 1)),
    ('displays', 'revoke', lambda s, actor: s.displays.revoke(actor, 1)),
    ('displays', 'set_language', lambda s, actor: s.displays.set_language(actor, 1, 'lv')),
    ('seasons', 'save', lambda s, actor: s.seasons.save(actor, [Season(
        name='Authz', start=s.clock.now().date(), end=s.clock.now().date() + timedelta(days=7))])),
    # these two are open to agents for their own replies; the shared ones are the leads'
    ('canned_replies', 'save', lambda s, actor: s.canned_replies.save(actor, CannedReplyDraft(
        title='Authz', shortcut='authz', body='Hello', shared=True))),
    ('canned_replies', 'delete', lambda s, actor: s.canned_replies.delete(actor, s.canned_replies.shared()[0].id)),
]

# every other public method taking an actor: an agent may call it, and why
OPEN_TO_AGENTS: dict[tuple[str, str], str] = {
    ('rewards', 'redeem'): 'agents spend their own points; leads are the ones refused',
    ('crm', 'update'): "whoever works a conversation keeps the customer's card up to date",
    ('inbox', 'add_note'): 'conversation work',
    ('inbox', 'reopen'): 'conversation work',
    ('inbox', 'reply'): 'conversation work',
    ('inbox', 'resolve'): 'conversation work',
    ('inbox', 'set_priority'): 'conversation work',
    ('inbox', 'tag'): 'conversation work',
    ('inbox', 'untag'): 'conversation work',
    ('inbox', 'take'): 'conversation work',
    ('inbox', 'transfer'): 'conversation work',
    ('presence', 'choose'): 'everyone sets their own status',
    ('disputes', 'dispute'): 'an agent disputes a rating of their own conversation; another\'s is refused',
    ('disputes', 'disputes_of'): 'everyone reads where their own disputes stand',
    ('team_chat', 'send'): 'everyone chats with the team',
    ('assists', 'view'): "the resolver sees who helped on their own resolution; another's shows nothing",
    ('assists', 'decide'): "the resolver confirms or declines assists on their own resolution; another's is refused",
    ('sessions', 'end_session'): "everyone ends their own sessions; another's is refused",
    ('sessions', 'end_other_sessions'): 'everyone ends their own other sessions',
    ('sessions', 'change_password'): 'everyone changes their own password, proving the current one',
    ('displays', 'set_profile'): 'everyone chooses their own name on public screens, or stays off them',
    ('accounts', 'set_language'): 'everyone chooses the language of their own screens',
    ('recap', 'recap'): "everyone reads their own month's recap; a lead reads anyone's, another agent's is refused",
    ('recap', 'image'): 'the same recap as an image, under the same rule',
    ('recap', 'opened'): "one's own season recap opened: it records only for the actor, a lead's records nothing",
}


@pytest.mark.parametrize(('service', 'method', 'call'), LEAD_ONLY, ids=[f'{s}.{m}' for s, m, _ in LEAD_ONLY])
async def test_a_lead_only_action_refuses_an_agent_and_writes_nothing(
        services: Services, ana: AgentView, service: str, method: str, call: Call) -> None:
    before = await _rows()
    with pytest.raises(ActionError) as refused:
        await call(services, ana)
    assert 'lead' in str(refused.value).lower(), f'{service}.{method} refused ana for another reason: {refused.value}'
    assert await _rows() == before, f'{service}.{method} wrote something for an agent'


def test_every_method_taking_an_actor_is_in_the_matrix(services: Services) -> None:
    listed = {(service, method) for service, method, _ in LEAD_ONLY} | set(OPEN_TO_AGENTS)
    assert not {(service, method) for service, method, _ in LEAD_ONLY} & set(OPEN_TO_AGENTS)
    found = {(name, method) for name, method in _methods_taking_an_actor(services)}
    assert found - listed == set(), 'a method taking an actor has no row: is it lead-only or open to agents?'
    assert listed - found == set(), 'a row names a method that no longer takes an actor'


def _methods_taking_an_actor(services: Services) -> list[tuple[str, str]]:
    """Every public coroutine method whose first parameter is ``actor`` on the services the container wires from
    services/game and services/helpdesk, and on the platform's auth (whose unlock is a lead's action), accounts and
    sessions."""
    found = []
    for field in fields(services):
        service = getattr(services, field.name)
        if not type(service).__module__.startswith(SERVICE_PACKAGES) and field.name not in LEAD_PLATFORM_SERVICES:
            continue
        for method, function in inspect.getmembers(type(service), inspect.iscoroutinefunction):
            if not method.startswith('_') and list(inspect.signature(function).parameters)[1:2] == ['actor']:
                found.append((field.name, method))
    return found


def _other(services: Services, actor: AgentView) -> int:
    """Another agent than ``actor``, one a lead may act on."""
    return next(agent.id for agent in services.directory.floor() if agent.id != actor.id)


async def _rows() -> dict[str, int]:
    """How many rows every table holds: a refused action changes none of them."""
    return {model.__name__: await model.all().count()
            for app in Tortoise.apps.values() for model in app.values()}
