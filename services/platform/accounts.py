"""Accounts: one way to create them (``python main.py admin create`` and a lead in ``/admin/accounts``), and the lead's
changes to them (disable, enable, reset the password, change the role), each a line of the event log with the lead as
actor. No password and no hash is ever written to the log."""
import asyncio
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from argon2 import PasswordHasher
from tortoise.exceptions import IntegrityError

from models import Agent
from services.domain.errors import ActionError
from services.domain.events import EventKind
from services.domain.i18n import LANGUAGES, N_, _
from services.domain.text import checked_text
from services.platform.auth import MAX_USERNAME, AuthService
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # a passphrase fits; a pasted novel is not hashed
MAX_DISPLAY_NAME = 120  # the column's width
ROLES = ('agent', 'lead')
# one whole sentence per role ("Ana is a lead already"): the article and the noun agree in each language
ALREADY = {'agent': N_('{name} is an agent already.'), 'lead': N_('{name} is a lead already.')}
USERNAME = re.compile(r'[a-z0-9][a-z0-9._-]{1,63}')
# what a password may not hold: control characters (no keyboard types them) and lone surrogates (not encodable)
_PASSWORD_FORBIDDEN = re.compile('[\x00-\x1f\x7f-\x9f\ud800-\udfff]')

HashPassword = Callable[[str], Awaitable[str]]


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountDraft:
    """An account as a lead (or ``admin create``) asks for it, unchecked."""
    username: str
    display_name: str = ''  # empty: the username
    role: str = 'agent'
    team_id: int | None = None
    password: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountView:
    """One account as the leads' list shows it."""
    id: int
    username: str
    name: str
    role: str
    team_id: int | None
    team_name: str
    active: bool
    is_demo: bool
    locked: bool  # refused for now after too many failed logins


class AccountService:
    """A lead's management of the accounts. Every change is recorded through the event log's unit of work (the
    sessions end on ``ACCOUNT_DISABLED``, ``ACCOUNT_ROLE_CHANGED`` and ``PASSWORD_RESET``) and reaches the
    :class:`Directory` right after its commit, so the boards and the session checks see it at once."""

    def __init__(self, *, directory: Directory, auth: AuthService, game: GameService, demo_mode: bool) -> None:
        self.directory = directory
        self.auth = auth
        self.game = game
        self.demo_mode = demo_mode

    async def accounts(self, actor: AgentView) -> list[AccountView]:
        """Every account, enabled or not, by name."""
        self._lead_only(actor, N_('Only a lead can see the accounts.'))
        rows = await Agent.all().order_by('display_name', 'id')
        return [self._view(row) for row in rows]

    async def create(self, actor: AgentView, draft: AccountDraft) -> AccountView:
        """:raises ActionError: for a non-lead, a name that is taken or malformed, an unknown role or team, or a
            password that is too short; nothing is written then."""
        self._lead_only(actor, N_('Only a lead can create an account.'))
        account = await checked_account(draft, hash_password=self.auth.hash, teams=self.directory.teams)
        async with self.game.unit_of_work() as work:
            agent = await store_account(account)
            await work.record(EventKind.ACCOUNT_CREATED, agent_id=actor.id, data={
                **_about(agent, actor), 'display_name': agent.display_name, 'role': agent.role,
                'team_id': agent.team_id})
            view = self.directory.view(agent)
            work.after_commit(lambda: self.directory.put(view))
        return self._view(agent)

    async def disable(self, actor: AgentView, agent_id: int) -> None:
        """The account cannot log in any more and leaves the floor; its points stay in the log."""
        self._lead_only(actor, N_('Only a lead can disable an account.'))
        async with self.game.unit_of_work() as work:
            agent = await self._account(agent_id)
            if not agent.active:
                raise ActionError(
                    _("{display_name}'s account is disabled already.")
                    .format(display_name=agent.display_name))
            if agent.id == actor.id:
                raise ActionError(_('You cannot disable your own account: ask another lead.'))
            await self._keep_a_lead(
                agent, N_('You cannot disable {name}: they are the last lead who can log in.'))
            agent.active = False
            await agent.save(update_fields=['active'])
            await work.record(EventKind.ACCOUNT_DISABLED, agent_id=actor.id, data=_about(agent, actor))
            work.after_commit(lambda: self.directory.remove(agent.id))

    async def enable(self, actor: AgentView, agent_id: int) -> None:
        self._lead_only(actor, N_('Only a lead can enable an account.'))
        async with self.game.unit_of_work() as work:
            agent = await self._account(agent_id)
            if agent.active:
                raise ActionError(
                    _("{display_name}'s account is enabled already.")
                    .format(display_name=agent.display_name))
            agent.active = True
            await agent.save(update_fields=['active'])
            await work.record(EventKind.ACCOUNT_ENABLED, agent_id=actor.id, data=_about(agent, actor))
            view = self.directory.view(agent)
            work.after_commit(lambda: self.directory.put(view))

    async def reset_password(self, actor: AgentView, agent_id: int, password: str) -> None:
        """Set a new password the lead hands over (the log says it happened, never what it is)."""
        self._lead_only(actor, N_('Only a lead can reset a password.'))
        checked_password(password)
        password_hash = await self.auth.hash(password)  # before the writer's turn: hashing takes a while
        async with self.game.unit_of_work() as work:
            agent = await self._account(agent_id)
            agent.password_hash = password_hash
            await agent.save(update_fields=['password_hash'])
            await work.record(EventKind.PASSWORD_RESET, agent_id=actor.id, data=_about(agent, actor))

    async def change_role(self, actor: AgentView, agent_id: int, role: str) -> None:
        """Make the account an agent (on the floor, in the game) or a lead (configures and watches it)."""
        self._lead_only(actor, N_('Only a lead can change a role.'))
        role = _checked_role(role)
        async with self.game.unit_of_work() as work:
            agent = await self._account(agent_id)
            before = agent.role
            if before == role:
                raise ActionError(_(ALREADY[role]).format(name=agent.display_name))
            if agent.id == actor.id:
                raise ActionError(_('You cannot change your own role: ask another lead.'))
            if before != 'agent':
                await self._keep_a_lead(
                    agent, N_('You cannot make an agent of {name}: they are the last lead who can log in.'))
            agent.role = role
            await agent.save(update_fields=['role'])
            await work.record(EventKind.ACCOUNT_ROLE_CHANGED, agent_id=actor.id,
                              data={**_about(agent, actor), 'role_before': before, 'role': role})
            if agent.active:
                view = self.directory.view(agent)
                work.after_commit(lambda: self.directory.put(view))

    async def set_language(self, actor: AgentView, language: str) -> None:
        """The person's own choice of language for their screens, kept with their account (every browser follows it):
        the event is the record, :class:`Directory` holds the latest.

        :raises ActionError: for a language the app does not speak; nothing is written then.
        """
        if not isinstance(language, str) or language not in LANGUAGES:
            raise ActionError(_('Choose one of the languages offered.'))
        async with self.game.unit_of_work() as work:
            agent = await self._account(actor.id)
            if self.directory.languages.get(agent.id, '') == language:
                return
            await work.record(EventKind.LANGUAGE_CHANGED, agent_id=actor.id,
                              data={**_about(agent, actor), 'language': language})

            def chosen() -> None:
                self.directory.languages[agent.id] = language
                if agent.active:
                    self.directory.put(self.directory.view(agent))
            work.after_commit(chosen)

    def _lead_only(self, actor: AgentView, refusal: str) -> None:
        """:raises ActionError: ``refusal`` (marked with N_(), said in the actor's language) unless ``actor`` is a lead,
            as the directory holds them now (a view taken before they were disabled or made an agent no longer counts).
        """
        current = self.directory.agent(actor.id)
        if not actor.is_lead or current is None or not current.is_lead:
            raise ActionError(_(refusal))

    async def _account(self, agent_id: int) -> Agent:
        agent = await Agent.get_or_none(id=agent_id) if isinstance(agent_id, int) else None
        if agent is None:
            raise ActionError(_('There is no account #{agent_id}.').format(agent_id=agent_id))
        return agent

    async def _keep_a_lead(self, agent: Agent, refusal: str) -> None:
        """:raises ActionError: when ``agent`` is the last lead who can log in (the floor would have nobody to run
        it); read under the writer's lock, so two leads cannot each remove the other."""
        if not agent.active or agent.role == 'agent' or (agent.is_demo and not self.demo_mode):
            return
        leads = Agent.filter(active=True, role__in=('lead', 'admin')).exclude(id=agent.id)
        if not self.demo_mode:
            leads = leads.filter(is_demo=False)
        if not await leads.exists():
            raise ActionError(_(refusal).format(name=agent.display_name))

    def _view(self, agent: Agent) -> AccountView:
        team_name = self.directory.teams.get(agent.team_id, '') if agent.team_id else ''
        return AccountView(id=agent.id, username=agent.username, name=agent.display_name, role=agent.role,
                           team_id=agent.team_id, team_name=team_name, active=agent.active, is_demo=agent.is_demo,
                           locked=self.auth.locked(agent.username))


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckedAccount:
    """An account ready to store: its fields checked, its password hashed."""
    username: str
    display_name: str
    role: str
    team_id: int | None
    password_hash: str


async def create_account(hasher: PasswordHasher, *, username: str, display_name: str, role: str,
                         password: str) -> Agent:
    """Create a real (not demo) account, its password hashed in a thread (``python main.py admin create``).

    It records no event: another process (a running server) may be the log's writer, and only it hands out event ids.
    A running server holds the account from its first login on.

    :raises ActionError: for a name that is taken or malformed, an unknown role or a password that is too short;
        nothing is written then.
    """
    draft = AccountDraft(username=username, display_name=display_name, role=role, password=password)
    return await store_account(await checked_account(
        draft, hash_password=lambda text: asyncio.to_thread(hasher.hash, text), teams=()))


async def checked_account(draft: AccountDraft, *, hash_password: HashPassword,
                          teams: Collection[int]) -> CheckedAccount:
    """The draft checked (a taken name too, before the slow hash) and its password hashed.

    :raises ActionError: saying what is wrong with which field.
    """
    name = checked_username(draft.username)
    role = _checked_role(draft.role)
    shown = ' '.join(checked_text(draft.display_name, N_('Display name'), MAX_DISPLAY_NAME, name=True).split()) or name
    if draft.team_id is not None and draft.team_id not in teams:
        raise ActionError(_('There is no team #{team_id}.').format(team_id=draft.team_id))
    checked_password(draft.password)
    if await Agent.exists(username=name):
        raise ActionError(_('The username {name} is taken.').format(name=repr(name)))
    return CheckedAccount(username=name, display_name=shown, role=role, team_id=draft.team_id,
                          password_hash=await hash_password(draft.password))


async def store_account(account: CheckedAccount) -> Agent:
    """:raises ActionError: when the name was taken since it was checked."""
    if await Agent.exists(username=account.username):
        raise ActionError(_('The username {username} is taken.').format(username=repr(account.username)))
    try:
        return await Agent.create(username=account.username, display_name=account.display_name, role=account.role,
                                  team_id=account.team_id, password_hash=account.password_hash)
    except IntegrityError as error:  # created by another process since the check above
        raise ActionError(_('The username {username} is taken.').format(username=repr(account.username))) from error


def checked_username(username: object) -> str:
    """:raises ActionError: for a name no account can have (too long, a control character, not letters, digits, dots,
        dashes and underscores)."""
    name = checked_text(username, N_('Username'), MAX_USERNAME, empty=_('Enter a username.')).lower()
    if not USERNAME.fullmatch(name):
        raise ActionError(
            _('The username {name} is not usable: 2 to 64 characters, letters, digits, dots, dashes and '
              'underscores, starting with a letter or a digit.')
            .format(name=repr(name)))
    return name


def checked_password(password: object) -> str:
    """:raises ActionError: for a password that is too short or too long, or holds a control character (never quoted:
        it is a secret)."""
    if not isinstance(password, str):
        raise ActionError(_('The password must be text.'))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ActionError(
            _('The password is too short: at least {min_password_length} characters.')
            .format(min_password_length=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ActionError(
            _('The password is too long: at most {max_password_length} characters.')
            .format(max_password_length=MAX_PASSWORD_LENGTH))
    if _PASSWORD_FORBIDDEN.search(password):
        raise ActionError(_('The password holds a control character: type it again.'))
    return password


def _checked_role(role: object) -> str:
    if role not in ROLES:
        shown = repr(role) if isinstance(role, str) and len(role) <= 20 and role.isprintable() else 'that'
        raise ActionError(
            _('The role must be one of {roles}, not {shown}.')
            .format(roles=", ".join(ROLES), shown=shown))
    return str(role)


def _about(agent: Agent, actor: AgentView) -> dict[str, object]:
    """What every account event says: which account, and which lead."""
    return {'id': agent.id, 'username': agent.username, 'by': actor.id}
