"""The REST API v1 (issue 14): a FastAPI application of its own, mounted at ``/api`` beside NiceGUI's pages, with its
own OpenAPI document (``/api/v1/openapi.json``) and docs (``/api/docs``, Swagger UI served from the package
fastapi-offline's local files, as the Content-Security-Policy allows no CDN).

Every route authenticates by ``Authorization: Bearer <token>`` only: nothing here reads the browser's session cookie,
so a logged-in browser (or a page another site opens in it) cannot call the API. Like a click, every route goes
through the services."""
import hashlib
import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from starlette.routing import Mount

from services.container import Services
from services.domain.errors import ActionError
from services.domain.events import Channel, Rating
from services.domain.leaderboard import Period
from services.game.api_reads import AgentSummary, Scope
from services.helpdesk.api_events import AgentRef, ExternalFact, FactType, FieldError
from services.platform.api_tokens import ApiTokenView, IdempotencyMismatch, TokenRefused
from services.platform.api_tokens import Scope as TokenScope
from services.platform.exports import MEDIA_TYPES, ExportFormat, ExportKind, ExportQuery, check_team, export_stream

MOUNT = '/api'
MOUNT_NAME = 'deskquest-api'
PREFIX = MOUNT + '/'  # every HTTP request under it goes to the API before NiceGUI's middlewares (:func:`mount`)
DESCRIPTION = """DeskQuest's REST API v1: the game's state for your scripts, and `POST /v1/events` for a helpdesk
DeskQuest has no adapter for.

Authenticate with `Authorization: Bearer dq_…`: a lead creates tokens at **/admin/api** (or with
`python main.py token create --name N --scope read|write`). A **read** token may call every `GET`; a **write** token
may also post events. Each token may make 600 requests a minute; beyond that the API answers 429 with `Retry-After`.

Lists that grow (the event log, a ledger) are cursors: pass `after` (0 to start) and follow `next`; `more` says a full
page was returned. A posted fact is timed on arrival, or at its own `at` (ISO 8601 with a time zone; at most 2 minutes
ahead, 7 days back, and in time order per ticket). Errors: 401 (no or bad token), 403 (a read token writing), 404,
409 (the state refuses the event), 422 (the fields at fault, in FastAPI's `detail` list), 429."""


class Problem(BaseModel):
    detail: str


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class FieldProblems(BaseModel):
    detail: list[FieldProblem]


REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {'model': Problem, 'description': 'No token, an unknown token or a revoked one'},
    429: {'model': Problem, 'description': 'Over the token\'s rate limit; wait Retry-After seconds'},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {'model': Problem, 'description': 'No such agent or entry'}}
FIELDS: dict[int | str, dict[str, Any]] = {422: {'model': FieldProblems, 'description': 'The fields at fault'}}


# --- what the API answers ---

class HelpdeskIdentityOut(BaseModel):
    connection_id: int
    helpdesk: str
    external_id: str
    email: str


class AgentOut(BaseModel):
    id: int
    username: str
    name: str
    email: str
    role: str
    team_id: int | None
    team: str
    level: int
    level_title: str
    points: int = Field(description='Lifetime points')
    points_by_domain: dict[str, int] = Field(description='quality, speed and productivity')
    resolved: int
    badges: list[str] = Field(description='The keys of the badges held now')
    helpdesk_identities: list[HelpdeskIdentityOut]


class LedgerEntryOut(BaseModel):
    id: int
    event_id: int
    conversation_id: int | None
    points: int
    domain: str
    kind: str
    reason: str
    receipt: str = Field(description='The score receipt as agents see it, e.g. "+10 fast resolution of #482"')
    occurred_at: datetime


class LedgerPage(BaseModel):
    agent_id: int
    entries: list[LedgerEntryOut]
    next: int = Field(description='Pass as `after` for the following page')
    more: bool


class ReceiptLineOut(BaseModel):
    at: datetime
    text: str
    scored: bool = Field(description='The event the points came from')
    conversation_id: int | None


class ReceiptOut(BaseModel):
    title: str = Field(description='e.g. "+10 fast resolution of #482"')
    domain: str
    facts: list[str] = Field(description="The rule in words, with the event's numbers and the values then in force")
    events: list[ReceiptLineOut] = Field(description="The conversation's events up to the one that scored")


class EventOut(BaseModel):
    id: int
    kind: str
    occurred_at: datetime
    agent_id: int | None
    conversation_id: int | None
    data: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventOut]
    next: int = Field(description='Pass as `after` for the following page (the same value when nothing is new)')
    more: bool


class StandingOut(BaseModel):
    holder_id: int = Field(description='The agent, or the team for a team mission')
    value: float
    target: int
    completed: bool


class QuestOut(BaseModel):
    key: str
    title: str
    description: str
    scope: Literal['individual', 'team']
    target: int
    starts_at: datetime
    ends_at: datetime
    running: bool
    reward_points: int
    reward_domain: str
    reward_badge: str | None
    standings: list[StandingOut]


class BoardRowOut(BaseModel):
    rank: int
    id: int = Field(description="The agent's id, or the team's on the teams board")
    name: str
    team: str
    level: int | None
    points: int
    members: int | None


class BoardOut(BaseModel):
    period: Period
    scope: Scope
    team_id: int | None
    rows: list[BoardRowOut]


# --- what may be posted ---

class AgentIn(BaseModel):
    model_config = ConfigDict(extra='forbid')
    id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="The agent's DeskQuest id")
    email: str | None = Field(default=None, min_length=3, max_length=200, description="Or the agent's email")

    @model_validator(mode='after')
    def one_of_them(self) -> 'AgentIn':
        if self.id is None and self.email is None:
            raise ValueError('name the agent by id or email')
        return self


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra='forbid')
    name: str = Field(min_length=1, max_length=160)
    email: str = Field(default='', max_length=200)


SOURCE = Field(min_length=1, max_length=40, pattern=r'^[A-Za-z0-9][A-Za-z0-9._-]*$',
               description='Your helpdesk, as you name it (e.g. "acme-desk")')
TICKET = Field(min_length=1, max_length=60, pattern=r'^[A-Za-z0-9][A-Za-z0-9._:-]*$',
               description="The helpdesk's own ticket id")


class FactIn(BaseModel):
    """What every fact may carry: its own time."""
    at: AwareDatetime | None = Field(
        default=None, description='When it happened in your helpdesk (ISO 8601 with a time zone, e.g. '
        '"2026-11-30T10:05:00Z"); without it, when it arrives. At most 2 minutes ahead of the server\'s clock and 7 '
        'days back, and not before the ticket\'s latest fact: post a ticket\'s facts in time order (422 otherwise).')


class Created(FactIn):
    """A customer wrote in: a new ticket (posting it again changes nothing)."""
    model_config = ConfigDict(extra='forbid')
    type: Literal['conversation.created']
    source: str = SOURCE
    ticket: str = TICKET
    channel: Channel = Channel.EMAIL
    customer: CustomerIn
    subject: str = Field(default='', max_length=200)
    body: str = Field(min_length=1, max_length=10_000, description="The customer's first message")
    priority: Literal['low', 'normal', 'high', 'urgent'] = 'normal'


class CustomerMessage(FactIn):
    """The customer wrote again (a resolved ticket is reopened, and its points clawed back)."""
    model_config = ConfigDict(extra='forbid')
    type: Literal['conversation.customer_message']
    source: str = SOURCE
    ticket: str = TICKET
    body: str = Field(min_length=1, max_length=10_000)


class Assigned(FactIn):
    """An agent took the ticket."""
    model_config = ConfigDict(extra='forbid')
    type: Literal['conversation.assigned']
    source: str = SOURCE
    ticket: str = TICKET
    agent: AgentIn


class Replied(FactIn):
    """An agent answered the customer (the first answer times the first response)."""
    model_config = ConfigDict(extra='forbid')
    type: Literal['conversation.replied']
    source: str = SOURCE
    ticket: str = TICKET
    agent: AgentIn
    body: str = Field(min_length=1, max_length=10_000)


class Resolved(FactIn):
    """The agent resolved the ticket: the resolution's points go to them."""
    model_config = ConfigDict(extra='forbid')
    type: Literal['conversation.resolved']
    source: str = SOURCE
    ticket: str = TICKET
    agent: AgentIn


class Rated(FactIn):
    """The customer rated the latest resolution (once)."""
    model_config = ConfigDict(extra='forbid')
    type: Literal['conversation.rated']
    source: str = SOURCE
    ticket: str = TICKET
    rating: Rating
    comment: str = Field(default='', max_length=500)


Fact = Annotated[Created | CustomerMessage | Assigned | Replied | Resolved | Rated, Field(discriminator='type')]


class AppliedOut(BaseModel):
    type: FactType
    conversation_id: int = Field(description="DeskQuest's conversation for the ticket")


def create_api(services: Services) -> FastAPI:
    """The API application for these services (``main.py`` mounts it at ``/api`` through :func:`mount`)."""
    api = FastAPIOffline(title='DeskQuest API', version='1', description=DESCRIPTION, openapi_url='/v1/openapi.json',
                         docs_url='/docs', redoc_url=None, static_url='/docs-assets',
                         swagger_ui_parameters={'validatorUrl': None},  # no call to an outside validator
                         dependencies=[Depends(_known_query)])
    bearer = HTTPBearer(auto_error=False, description='A DeskQuest API token: dq_…')
    reads = services.api_reads

    def caller(needs: TokenScope):
        async def dependency(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None,
                                                                      Security(bearer)]) -> ApiTokenView:
            header = f'Bearer {credentials.credentials}' if credentials else request.headers.get('authorization')
            try:
                return await services.api_tokens.check(header, needs=needs)
            except TokenRefused as refused:
                headers = {'WWW-Authenticate': 'Bearer'} if refused.status == 401 else {}
                if refused.retry_after is not None:
                    headers['Retry-After'] = str(refused.retry_after)
                raise HTTPException(refused.status, refused.message, headers=headers) from None
        return dependency

    reader = Depends(caller(TokenScope.READ))
    writer = Depends(caller(TokenScope.WRITE))

    @api.get('/v1/agents', response_model=list[AgentOut], responses=REFUSALS, tags=['agents'],
             summary='Every agent with level, points, badges and helpdesk identities')
    async def agents(_: ApiTokenView = reader) -> list[AgentOut]:
        return [_agent(summary) for summary in await reads.agents()]

    @api.get('/v1/agents/{agent_id}', response_model=AgentOut, responses=REFUSALS | NOT_FOUND, tags=['agents'],
             summary='One agent, as in the list')
    async def agent(agent_id: Annotated[int, Path(ge=1, le=2**31 - 1)], _: ApiTokenView = reader) -> AgentOut:
        try:
            return _agent(await reads.agent(agent_id))
        except LookupError as missing:
            raise HTTPException(404, str(missing)) from None

    @api.get('/v1/agents/{agent_id}/ledger', response_model=LedgerPage, responses=REFUSALS | NOT_FOUND,
             tags=['agents'], summary="An agent's ledger with its receipts, oldest first (a cursor)")
    async def ledger(agent_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                     after: Annotated[int, Query(ge=0, le=2**62)] = 0,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100, _: ApiTokenView = reader) -> LedgerPage:
        try:
            page = await reads.ledger(agent_id, after=after, limit=limit)
        except LookupError as missing:
            raise HTTPException(404, str(missing)) from None
        return LedgerPage(agent_id=agent_id, next=page.next, more=page.more, entries=[
            LedgerEntryOut(id=e.id, event_id=e.event_id, conversation_id=e.conversation_id, points=e.points,
                           domain=e.domain, kind=e.kind, reason=e.reason, receipt=e.receipt,
                           occurred_at=e.occurred_at) for e in page.items])

    @api.get('/v1/agents/{agent_id}/ledger/{entry_id}/receipt', response_model=ReceiptOut,
             responses=REFUSALS | NOT_FOUND, tags=['agents'], summary="A ledger entry's receipt: why it was given")
    async def receipt(agent_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                      entry_id: Annotated[int, Path(ge=1, le=2**62)], _: ApiTokenView = reader) -> ReceiptOut:
        try:
            detail = await reads.receipt(agent_id, entry_id)
        except LookupError as missing:
            raise HTTPException(404, str(missing)) from None
        return ReceiptOut(title=detail.title, domain=detail.domain, facts=list(detail.facts), events=[
            ReceiptLineOut(at=line.at, text=line.text, scored=line.scored, conversation_id=line.conversation_id)
            for line in detail.events])

    @api.get('/v1/events', response_model=EventPage, responses=REFUSALS, tags=['events'],
             summary='The event log after an event id, in order (a cursor)')
    async def events(after: Annotated[int, Query(ge=0, le=2**62)] = 0,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100, _: ApiTokenView = reader) -> EventPage:
        page = await reads.events(after=after, limit=limit)
        return EventPage(next=page.next, more=page.more, events=[
            EventOut(id=e.id, kind=e.kind, occurred_at=e.occurred_at, agent_id=e.agent_id,
                     conversation_id=e.conversation_id, data=dict(e.data)) for e in page.items])

    @api.post('/v1/events', response_model=AppliedOut, status_code=200, tags=['events'],
              responses=REFUSALS | FIELDS | {
                  400: {'model': Problem, 'description': 'The body is not JSON'},
                  403: {'model': Problem, 'description': 'A read token cannot post'},
                  409: {'model': Problem, 'description': 'The ticket\'s state refuses the event (e.g. rating a ticket '
                                                         'not resolved), or the Idempotency-Key is in use'}},
              summary='Post a fact from a helpdesk DeskQuest has no adapter for')
    async def post_event(request: Request, fact: Annotated[Fact, Body()],
                         idempotency_key: Annotated[str | None, Header(
                             max_length=100, pattern=r'^[\x21-\x7e]+$',
                             description='Repeat a request with the same key and body: the same answer, no second '
                                         'effect. The same key with another body is refused (422).')] = None,
                         token: ApiTokenView = writer) -> JSONResponse:
        body = fact.model_dump(mode='json')
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        if idempotency_key is None:
            return await _apply(services, fact, key=None)
        async with services.api_tokens.idempotency(token.id, idempotency_key, fingerprint) as remembered:
            if remembered.response is not None:
                return JSONResponse(remembered.response, status_code=remembered.status,
                                    headers={'Idempotent-Replayed': 'true'})
            response = await _apply(services, fact, key=f'api:{token.id}:{idempotency_key}')
            if response.status_code < 300:  # a refusal changed nothing: a retry (after a fix) is judged afresh
                remembered.keep(response.status_code, json.loads(response.body))
            return response

    @api.exception_handler(IdempotencyMismatch)
    async def mismatch(request: Request, error: IdempotencyMismatch) -> JSONResponse:
        return _fields_at_fault(('header', 'idempotency-key'), str(error))

    @api.get('/v1/quests', response_model=list[QuestOut], responses=REFUSALS, tags=['game'],
             summary='Quests and team missions, the latest first, with everyone\'s progress while tracked')
    async def quests(_: ApiTokenView = reader) -> list[QuestOut]:
        return [QuestOut(key=q.key, title=q.title, description=q.description, scope=q.scope,  # type: ignore[arg-type]
                         target=q.target,
                         starts_at=q.starts_at, ends_at=q.ends_at, running=q.running, reward_points=q.reward_points,
                         reward_domain=q.reward_domain, reward_badge=q.reward_badge,
                         standings=[StandingOut(holder_id=s.holder_id, value=s.value, target=s.target,
                                                completed=s.completed) for s in q.standings])
                for q in reads.quest_statuses()]

    @api.get('/v1/leaderboards', response_model=BoardOut, responses=REFUSALS | FIELDS, tags=['game'],
             summary='A leaderboard: the floor (agents), the teams, or one team\'s agents (team, with team_id)')
    async def leaderboard(period: Period = Period.TODAY, scope: Scope = Scope.AGENTS,
                          team_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                          _: ApiTokenView = reader) -> Any:
        try:
            rows = reads.board(period, scope, team_id)
        except ActionError as error:
            return _fields_at_fault(('query', 'team_id'), str(error))
        return BoardOut(period=period, scope=scope, team_id=team_id, rows=[
            BoardRowOut(rank=r.rank, id=r.id, name=r.name, team=r.team, level=r.level, points=r.points,
                        members=r.members) for r in rows])

    for kind in ExportKind:
        for form in ExportFormat:
            _export_route(api, kind, form, reader)
    return api


def mount(app: FastAPI, services: Services) -> Mount:
    """Mount the API at ``/api``, replacing the one an earlier run of ``main.py`` mounted (NiceGUI's tests run it once
    per test and only clear its own routes), and return the mount.

    ``main.py`` also hands the mount to ``http_security.install`` for :data:`PREFIX`: called as an ASGI app, a Starlette
    route sets the scope as the app's router would (``root_path='/api'``, the path kept whole), so the API answers every
    path under ``/api/`` in front of NiceGUI's middlewares, as the webhooks do (ui/webhooks.py says why): no session
    cookie, no NiceGUI user storage per call, no ``BaseHTTPMiddleware`` layers around a streamed export. The mount stays
    in the app's routes for ``/api`` itself, which the app's router still redirects to ``/api/``."""
    app.router.routes[:] = [route for route in app.router.routes
                            if not (isinstance(route, Mount) and route.name == MOUNT_NAME)]
    route = Mount(MOUNT, app=create_api(services), name=MOUNT_NAME)
    app.router.routes.append(route)
    return route


def _export_route(api: FastAPI, kind: ExportKind, form: ExportFormat, reader: Any) -> None:
    described = {ExportKind.CONVERSATIONS: 'one row per conversation created in the period',
                 ExportKind.LEDGER: 'one row per ledger entry of the period'}[kind]

    @api.get(f'/v1/exports/{kind.value}.{form.value}', tags=['exports'], response_class=StreamingResponse,
             response_model=None,
             summary=f'Export {kind.value} as {form.value.upper()}: {described}',
             responses=REFUSALS | FIELDS | {200: {'content': {MEDIA_TYPES[form].split(';')[0]: {}},
                                                  'description': 'The export, streamed'}})
    async def export(first: Annotated[date, Query(alias='from', description='First day (UTC), included')],
                     last: Annotated[date, Query(alias='to', description='Last day (UTC), included')],
                     team_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                     _: ApiTokenView = reader) -> Response:
        try:
            query = ExportQuery(first=first, last=last, team_id=team_id)
            await check_team(team_id)
        except ActionError as error:
            return _fields_at_fault(('query', 'team_id' if 'team' in str(error) else 'to'), str(error))
        return streamed(kind, form, query)


def streamed(kind: ExportKind, form: ExportFormat, query: ExportQuery) -> StreamingResponse:
    """An export as a download, streamed batch by batch (the UI's download route answers with it too)."""
    return StreamingResponse(export_stream(kind, form, query), media_type=MEDIA_TYPES[form],
                             headers={'Content-Disposition': f'attachment; filename="{query.filename(kind, form)}"',
                                      'Cache-Control': 'no-store'})


async def _apply(services: Services, fact: BaseModel, *, key: str | None) -> JSONResponse:
    data = fact.model_dump()
    agent = data.get('agent')
    customer = data.get('customer') or {}
    try:
        applied = await services.external_events.apply(ExternalFact(
            type=FactType(data['type']), source=data['source'], ticket=data['ticket'],
            channel=data.get('channel', Channel.EMAIL), customer_name=customer.get('name', ''),
            customer_email=customer.get('email', ''), subject=data.get('subject', ''), body=data.get('body', ''),
            priority=data.get('priority', 'normal'), rating=data.get('rating'), comment=data.get('comment', ''),
            agent=AgentRef(id=agent['id'], email=agent['email']) if agent else None, at=data.get('at')), key=key)
    except FieldError as error:
        return _fields_at_fault(('body', error.field), str(error))
    except ActionError as error:
        return JSONResponse({'detail': str(error)}, status_code=409)
    return JSONResponse(AppliedOut(type=applied.type, conversation_id=applied.conversation_id).model_dump(mode='json'),
                        status_code=200)


async def _known_query(request: Request) -> None:
    """Refuse a query parameter the operation does not take: a script's typo (``?afer=``) would otherwise be
    ignored silently and read from the start again."""
    route = request.scope.get('route')
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError([{'loc': ('query', name), 'msg': 'This operation takes no such parameter.',
                                       'type': 'extra_forbidden'} for name in unknown])


def _query_names(dependant: Any) -> set[str]:
    return {param.alias for param in dependant.query_params}.union(
        *(_query_names(inner) for inner in dependant.dependencies))


def _fields_at_fault(loc: tuple[str, ...], message: str) -> JSONResponse:
    return JSONResponse({'detail': [{'loc': list(loc), 'msg': message, 'type': 'value_error'}]}, status_code=422)


def _agent(summary: AgentSummary) -> AgentOut:
    return AgentOut(id=summary.id, username=summary.username, name=summary.name, email=summary.email,
                    role=summary.role, team_id=summary.team_id, team=summary.team, level=summary.level,
                    level_title=summary.level_title, points=summary.points,
                    points_by_domain=dict(summary.points_by_domain), resolved=summary.resolved,
                    badges=list(summary.badges), helpdesk_identities=[
                        HelpdeskIdentityOut(connection_id=i.connection_id, helpdesk=i.helpdesk,
                                            external_id=i.external_id, email=i.email)
                        for i in summary.helpdesk_identities])
