"""Wall displays and public names (issue 15).

A lead creates a display (name, teams, slides, timing) and gets a one-time pairing code, valid ``CODE_LIFETIME``; the
TV types it at ``/kiosk`` and the display is bound to that browser: to its NiceGUI browser id, which sits in the
cookie signed with the storage secret, so every process sharing the secret reads it and no secret is ever in a URL.
Only SHA-256s of codes and browser ids are stored. The live displays are held in memory, so the check a kiosk tab
makes is a dict lookup; a revocation or a new pairing fires ``let_go`` with the display's id, and the kiosk's tabs
showing it go back to the pairing screen at once.

Several processes on PostgreSQL (issue 17): the table is the truth. Each process takes into memory the displays
another process's display events changed (:meth:`DisplayService.refresh`, as the log is followed), so a revocation
there lets this process's tabs go too; a browser that reaches this process before its pairing is followed is looked
up in the table (:meth:`DisplayService.recall`).

Each agent chooses how public screens name them: an alias, or not at all (the lead sees who opted out, and cannot
change it: only the agent's own session calls :meth:`DisplayService.set_profile`).
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from nicegui import Event
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError

from models import Display, PublicProfile
from services.domain.displays import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_LIFETIME,
    DisplaySetup,
    Slide,
    checked_language,
    checked_setup,
    normalized_code,
)
from services.domain.errors import ActionError
from services.domain.events import EventKind, GameEvent
from services.domain.i18n import DEFAULT_LANGUAGE, N_, _
from services.domain.text import MAX_NAME, checked_text
from services.platform.clock import Clock
from services.platform.directory import AgentView, Directory
from services.platform.event_log import GameService


@dataclass(frozen=True, kw_only=True, slots=True)
class DisplayView:
    id: int
    name: str
    team_ids: tuple[int, ...]
    slides: tuple[Slide, ...]
    slide_seconds: int
    language: str  # what its slides speak (the floor's for a display made before displays had one)
    created_at: datetime
    paired_at: datetime | None
    code_expires_at: datetime | None  # a pairing code waiting, until then
    revoked_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class PublicProfileView:
    alias: str  # '' : the display name
    opted_out: bool


NO_PROFILE = PublicProfileView(alias='', opted_out=False)


def digest(secret: str) -> str:
    """What is stored of a code or a browser id: a random UUID or a 10-minute code needs no salt nor slow hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


class DisplayService:
    def __init__(self, *, clock: Clock, game: GameService, directory: Directory,
                 default_language: str = DEFAULT_LANGUAGE) -> None:
        self.clock = clock  # the wall clock: a pairing code lives ten real minutes, even in the accelerated demo
        self.game = game
        self.directory = directory
        self.default_language = default_language  # the floor's (the floor_language setting): a new display's
        self.displays: dict[int, DisplayView] = {}
        self._paired: dict[str, int] = {}  # the paired browser's id's hash -> display id, the live displays only
        self.profiles: dict[int, PublicProfileView] = {}
        self.let_go: Event[frozenset[int]] = Event()  # displays whose paired TV must pair again
        self.profiles_changed: Event[int] = Event()  # an agent's public name changed (their id)
        self.displays_changed: Event[int] = Event()  # a display was created, paired, re-coded or revoked
        self.shared = False  # other processes share the table (PostgreSQL): follow their changes, recall their TVs

    async def load(self) -> None:
        self.displays = {}
        self._paired = {}
        for row in await Display.all().order_by('id'):
            self.displays[row.id] = self._view(row)
            if row.device_hash is not None and row.revoked_at is None:
                self._paired[row.device_hash] = row.id
        self.profiles = {row.agent_id: PublicProfileView(alias=row.alias, opted_out=row.opted_out)
                         for row in await PublicProfile.all()}
        self.shared = Tortoise.get_connection('default').capabilities.dialect == 'postgres'

    async def refresh(self, events: list[GameEvent]) -> None:
        """Take from the table the displays another process's events changed (created, paired, re-coded, revoked, set
        to another language), as if changed here: a TV it let go leaves this process's tabs too. Run as the log is
        followed (``refresh_with_followed``), before the followed listeners hear."""
        changed = {event.data['id'] for event in events
                   if event.kind in DISPLAY_KINDS and isinstance(event.data.get('id'), int)}
        if not changed:
            return
        for row in await Display.filter(id__in=changed).order_by('id'):  # one read for a batch of events
            self._put(row)

    async def recall(self, device: object) -> None:
        """Take this browser's display from the table when another process paired it and this one has not followed
        that yet (PostgreSQL only: on SQLite one process holds every display). A browser paired here, or to no live
        display, changes nothing."""
        if not self.shared or not isinstance(device, str) or digest(device) in self._paired:
            return
        row = await Display.get_or_none(device_hash=digest(device), revoked_at=None)
        if row is None or row.paired_at is None:
            return
        held = self.displays.get(row.id)
        if held is not None and (held.revoked_at is not None or (held.paired_at or row.paired_at) > row.paired_at):
            return  # a later state was followed while the row was read: it stands
        self._put(row)

    # --- the lead's side ---

    def all(self) -> list[DisplayView]:
        """Every display, the newest first (revoked ones too, so a lead sees what was revoked when)."""
        return sorted(self.displays.values(), key=lambda display: display.id, reverse=True)

    async def create(self, actor: AgentView, *, name: object, team_ids: object, slides: object,
                     slide_seconds: object, language: object = None) -> tuple[DisplayView, str]:
        """A lead sets a display up (in ``language``, by default the floor's); returns it and its pairing code (in
        clear here only)."""
        _check_lead(actor, N_('Only a lead can create displays.'))
        setup = self._setup(name=name, team_ids=team_ids, slides=slides, slide_seconds=slide_seconds,
                            language=self.default_language if language is None else language)
        code, expires = self._new_code()
        async with self.game.unit_of_work() as work:
            row = await Display.create(name=setup.name, team_ids=list(setup.team_ids),
                                       slides=[slide.value for slide in setup.slides],
                                       slide_seconds=setup.slide_seconds, language=setup.language,
                                       created_by=actor.id,
                                       created_at=self.clock.now(), code_hash=digest(code), code_expires_at=expires)
            await work.record(EventKind.DISPLAY_CREATED, agent_id=actor.id, data={
                'id': row.id, 'name': setup.name, 'teams': list(setup.team_ids),
                'slides': [slide.value for slide in setup.slides], 'seconds': setup.slide_seconds,
                'language': setup.language, 'by': actor.id})
            work.after_commit(lambda: self._put(row))
        return self._view(row), code

    async def set_language(self, actor: AgentView, display_id: object, language: object) -> DisplayView:
        """A lead changes what a display speaks; its TV is shown the slides again in that language at once."""
        _check_lead(actor, N_('Only a lead can change displays.'))
        language = checked_language(language)
        row = await self._live_row(display_id)
        if self._view(row).language == language:
            return self._view(row)
        async with self.game.unit_of_work() as work:
            await Display.filter(id=row.id).update(language=language)
            row.language = language
            await work.record(EventKind.DISPLAY_LANGUAGE_CHANGED, agent_id=actor.id,
                              data={'id': row.id, 'name': row.name, 'language': language, 'by': actor.id})
            work.after_commit(lambda: self._put(row))
        return self._view(row)

    async def issue_code(self, actor: AgentView, display_id: object) -> str:
        """A new pairing code for a display (a new TV, or the old one reset); the one paired now is let go when the
        code is used, not before, so the wall stays lit meanwhile."""
        _check_lead(actor, N_('Only a lead can pair displays.'))
        row = await self._live_row(display_id)
        code, expires = self._new_code()
        async with self.game.unit_of_work() as work:
            await Display.filter(id=row.id).update(code_hash=digest(code), code_expires_at=expires)
            row.code_hash, row.code_expires_at = digest(code), expires
            await work.record(EventKind.DISPLAY_CODE_ISSUED, agent_id=actor.id,
                              data={'id': row.id, 'name': row.name, 'by': actor.id})
            work.after_commit(lambda: self._put(row))
        return code

    async def revoke(self, actor: AgentView, display_id: object) -> DisplayView:
        _check_lead(actor, N_('Only a lead can revoke displays.'))
        row = await self._live_row(display_id)
        now = self.clock.now()
        async with self.game.unit_of_work() as work:
            await Display.filter(id=row.id).update(revoked_at=now, code_hash=None, code_expires_at=None,
                                                   device_hash=None)
            row.revoked_at, row.code_hash, row.code_expires_at, row.device_hash = now, None, None, None
            await work.record(EventKind.DISPLAY_REVOKED, agent_id=actor.id,
                              data={'id': row.id, 'name': row.name, 'by': actor.id})
            work.after_commit(lambda: self._put(row))
        return self._view(row)

    # --- the TV's side ---

    async def pair(self, typed: object, *, device: str) -> DisplayView:
        """Bind the display whose live code was typed to the browser that typed it (``device``: its browser id); the
        code is then used up.

        :raises ActionError: for a code that is malformed, unknown, used or expired, or a browser already showing a
            display; nothing changes then.
        """
        code = normalized_code(typed)
        if code is None:
            raise ActionError(
                _('A pairing code has {code_length} letters and digits, like ABCD-EF23.')
                .format(code_length=CODE_LENGTH))
        row = await Display.get_or_none(code_hash=digest(code), revoked_at=None)
        if row is None:
            raise ActionError(_('This code is not valid: check it, or ask a lead for a new one.'))
        if row.code_expires_at is None or row.code_expires_at <= self.clock.now():
            raise ActionError(_('This code has expired: ask a lead for a new one at /admin/displays.'))
        if await Display.exists(device_hash=digest(device)):  # a second tab of a TV paired meanwhile
            raise ActionError(_(ALREADY_PAIRED))
        now = self.clock.now()
        async with self.game.unit_of_work() as work:
            # the code's hash in the filter: two TVs typing the same code, one wins
            try:
                changed = await Display.filter(id=row.id, code_hash=row.code_hash).update(
                    code_hash=None, code_expires_at=None, device_hash=digest(device), paired_at=now)
            except IntegrityError:  # the browser's other tab paired another display since the check above
                raise ActionError(_(ALREADY_PAIRED)) from None
            if not changed:
                raise ActionError(_('This code was just used: ask a lead for a new one.'))
            row.code_hash, row.code_expires_at, row.device_hash, row.paired_at = None, None, digest(device), now
            await work.record(EventKind.DISPLAY_PAIRED, data={'id': row.id, 'name': row.name})
            work.after_commit(lambda: self._put(row))
        return self._view(row)

    def check(self, device: object) -> DisplayView | None:
        """The display this browser (``device``: its browser id) is paired to, while it is live."""
        if not isinstance(device, str) or (display_id := self._paired.get(digest(device))) is None:
            return None
        return self.displays.get(display_id)

    async def adopt(self, token: object, *, device: str) -> DisplayView | None:
        """Bind to this browser the display a TV paired before pairings were bound to browsers (its random device
        token kept in NiceGUI's per-process user storage), so it needs no new code; None if the token pairs nothing.
        """
        if not isinstance(token, str) or (display_id := self._paired.get(digest(token))) is None:
            return None
        changed = await Display.filter(id=display_id, device_hash=digest(token), revoked_at=None).update(
            device_hash=digest(device))
        if changed and self._paired.get(digest(token)) == display_id:  # and not let go while it was written
            del self._paired[digest(token)]
            self._paired[digest(device)] = display_id
        return self.check(device)

    # --- public names ---

    def public_name(self, agent_id: int) -> str | None:
        """How public screens name the agent; None: they opted out (or left), so they are not shown at all."""
        agent = self.directory.agent(agent_id)
        profile = self.profiles.get(agent_id, NO_PROFILE)
        if agent is None or profile.opted_out:
            return None
        return profile.alias or agent.name

    def profile(self, agent_id: int) -> PublicProfileView:
        return self.profiles.get(agent_id, NO_PROFILE)

    def opted_out(self) -> list[AgentView]:
        """Who chose not to appear on public screens (for the lead: they see it, they cannot change it)."""
        return [agent for agent in self.directory.agents.values() if self.profile(agent.id).opted_out]

    async def set_profile(self, actor: AgentView, *, alias: object, opted_out: object) -> PublicProfileView:
        """The actor's own choice (nobody chooses for someone else: no agent id is taken)."""
        alias = checked_text(alias if alias is not None else '', N_('Public name'), MAX_NAME, name=True)
        if not isinstance(opted_out, bool):
            raise ActionError(_('Say whether you appear on public screens.'))
        profile = PublicProfileView(alias=alias, opted_out=opted_out)
        if profile == self.profile(actor.id):
            return profile
        async with self.game.unit_of_work() as work:
            await PublicProfile.update_or_create(agent_id=actor.id, defaults={
                'alias': alias, 'opted_out': opted_out, 'changed_at': self.clock.now()})
            await work.record(EventKind.PUBLIC_PROFILE_CHANGED, agent_id=actor.id,
                              data={'alias': alias, 'opted_out': opted_out})

            def changed() -> None:
                self.profiles[actor.id] = profile
                self.profiles_changed.emit(actor.id)
            work.after_commit(changed)
        return profile

    # --- inside ---

    def _setup(self, **chosen: object) -> DisplaySetup:
        name = checked_text(chosen.pop('name'), N_('Display name'), MAX_NAME, name=True,
                            empty=_('Give the display a name.'))
        return checked_setup(name=name, teams=self.directory.teams, **chosen)  # type: ignore[arg-type]

    def _new_code(self) -> tuple[str, datetime]:
        code = ''.join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        return code, self.clock.now() + CODE_LIFETIME

    async def _live_row(self, display_id: object) -> Display:
        row = await Display.get_or_none(id=display_id) if isinstance(display_id, int) else None
        if row is None:
            raise ActionError(_('There is no display #{display_id}.').format(display_id=display_id))
        if row.revoked_at is not None:
            raise ActionError(_('The display "{name}" was revoked: create a new one.').format(name=row.name))
        return row

    def _view(self, row: Display) -> DisplayView:
        return _display_view(row, self.default_language)

    def _put(self, row: Display) -> None:
        """Hold the display as committed; a TV it no longer pairs is let go."""
        gone = [device for device, display_id in self._paired.items()
                if display_id == row.id and device != row.device_hash]
        for device in gone:
            del self._paired[device]
        if row.device_hash is not None and row.revoked_at is None:
            self._paired[row.device_hash] = row.id
        self.displays[row.id] = self._view(row)
        if gone:
            self.let_go.emit(frozenset({row.id}))
        self.displays_changed.emit(row.id)


ALREADY_PAIRED = N_('This screen is already paired: reload the page.')
DISPLAY_KINDS = frozenset({EventKind.DISPLAY_CREATED, EventKind.DISPLAY_PAIRED, EventKind.DISPLAY_CODE_ISSUED,
                           EventKind.DISPLAY_REVOKED, EventKind.DISPLAY_LANGUAGE_CHANGED})  # the ones that change a row


def _check_lead(actor: AgentView, refusal: str) -> None:
    """:raises ActionError: ``refusal`` (a whole sentence marked with N_()) in the actor's language, unless a lead."""
    if not actor.is_lead:
        raise ActionError(_(refusal))


def _display_view(row: Display, default_language: str) -> DisplayView:
    return DisplayView(id=row.id, name=row.name, team_ids=tuple(row.team_ids), slides=tuple(
        Slide(slide) for slide in row.slides if slide in Slide._value2member_map_), slide_seconds=row.slide_seconds,
        language=row.language or default_language, created_at=row.created_at, paired_at=row.paired_at,
        code_expires_at=row.code_expires_at, revoked_at=row.revoked_at)
