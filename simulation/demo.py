"""The demo floor: teams, agents with simulated working styles, a lead, customers and canned replies."""
import logging
from datetime import UTC, datetime, timedelta

from models import (
    Agent,
    AgentDepartment,
    AgentSkills,
    AutomationRule,
    CannedReply,
    Customer,
    Department,
    Purchase,
    RoutingSettings,
    SlaPolicy,
    StoredEvent,
    Team,
)
from services.container import Services
from services.domain.events import Channel
from services.domain.incentives import Incentive, IncentiveKind
from services.domain.rewards import RewardDraft
from services.game.incentives import IncentiveService
from services.game.quests import QuestDraft, QuestService
from services.game.rewards import RewardService
from services.helpdesk.inbox import InboxService
from services.platform.auth import AuthService
from services.platform.clock import AcceleratedClock
from services.platform.directory import Directory
from simulation.traffic import company_of

log = logging.getLogger(__name__)
DEMO_PASSWORD = 'demo'
TEAMS = {
    'Aurora': [('ana', 'Ana Ozola', 'fast'), ('bruno', 'Bruno Dubois', 'careful'), ('chloe', 'Chloé Martin', 'chatty'),
               ('daan', 'Daan de Vries', 'steady')],
    'Borealis': [('emma', 'Emma Jansen', 'careful'), ('farid', 'Farid Haddad', 'fast'),
                 ('greta', 'Greta Kalniņa', 'break_lover'), ('hugo', 'Hugo Lefèvre', 'chatty')],
    'Comet': [('ines', 'Inès Moreau', 'fast'), ('janis', 'Jānis Bērziņš', 'careful'), ('kim', 'Kim Peeters', 'steady'),
              ('liga', 'Līga Liepa', 'break_lover')],
}
LEAD = ('lead', 'Lena Lead')
CANNED_REPLIES = [
    ('hello', 'Greeting', 'Hi {customer_first_name}, thanks for reaching out! I am looking into ticket {ticket_number} '
                          'right now.'),
    ('thanks', 'Thanks and close', 'Thank you {customer_first_name}! I am glad we could sort this out. '
                                   'If anything else comes up, just reply to {ticket_number}. – {agent_first_name}'),
    ('refund', 'Refund started', 'Hi {customer_first_name}, I have started your refund for {ticket_number}; it reaches '
                                 'your account within 5 working days.'),
    ('reset', 'Password reset', 'Hi {customer_first_name}, you can reset your password from the login page with '
                                '"Forgot password". Let me know if the e-mail does not arrive.'),
    ('moreinfo', 'Need more details', 'Hi {customer_first_name}, could you send me a screenshot and the exact error '
                                      'message? That helps me solve {ticket_number} faster.'),
    ('shipping', 'Shipping status', 'Hi {customer_first_name}, your parcel is on its way and should arrive within '
                                    '2 days. The tracking link is in your order e-mail.'),
]
CUSTOMERS = [
    ('Marie Laurent', 'fr'), ('Pieter Janssens', 'nl'), ('Ilze Kalnina', 'lv'), ('John Carter', 'en'),
    ('Sophie Bernard', 'fr'), ('Lotte Visser', 'nl'), ('Andris Ozols', 'lv'), ('Emily Stone', 'en'),
    ('Lucas Petit', 'fr'), ('Femke Bakker', 'nl'), ('Kristaps Jansons', 'lv'), ('Olivia Brown', 'en'),
    ('Camille Roux', 'fr'), ('Bram Smit', 'nl'), ('Zane Krumina', 'lv'), ('Noah Wilson', 'en'),
]


async def start_demo(services: Services, *, quests: bool, clock: AcceleratedClock | None = None) -> bool:
    """Start the services on the demo floor: seeded into an empty database, its queue, store and incentives added
    once the projections are loaded, and (with ``quests``) the quests that the simulated traffic moves.

    On the demo's accelerated ``clock``, a new demo starts in working hours and a restarted one never records an event
    before the last one it has. Return whether the floor was seeded now.
    """
    await services.open()
    seeded = await seed_demo_floor(services.auth)
    if clock is not None:
        if seeded:
            clock.advance_to(demo_morning(clock.now()))
        if (last := await StoredEvent.all().order_by('-id').first()) is not None:
            clock.advance_to(last.occurred_at)  # an accelerated run may have got ahead of the wall clock
    await services.load()
    if seeded:
        await seed_demo_queue(services.inbox)
        await seed_demo_game(services.rewards, services.incentives, services.directory)
        if quests:
            await seed_demo_quests(services.quests, services.directory)
        log.info('seeded the demo floor')
    return seeded


def demo_morning(now: datetime) -> datetime:
    """When a new demo starts: on a Monday in working hours (UTC), now if it is one, else the coming Monday at 08:00.

    Why Monday: the quests and team missions seeded with the floor, and the week's boards, run to the end of the ISO
    week; started on a Thursday they would have three days to live, on a Saturday one, and the week's board would
    restart in hours. Why forward: the demo's clock never goes backwards (a restart continues from its last event),
    and at the simulator's speed (60× by default) the demo's calendar leaves the real one within the hour anyway, so
    jumping up to six days ahead costs nothing. At night the shifts are thin and the floor looks asleep, hence 08:00.
    """
    if now.weekday() == 0 and 7 <= now.hour < 18:
        return now
    morning = now.replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=-now.weekday() % 7)
    return morning if morning > now else morning + timedelta(days=7)


def demo_email(username: str) -> str:
    """A demo account's address (the reserved .example domain: it reaches nobody), by which the REST API and the
    helpdesks' webhooks find the agent."""
    return f'{username}@deskquest.example'


async def seed_demo_floor(auth: AuthService) -> bool:
    """Create the demo floor in an empty database; return whether anything was created."""
    if await Agent.exists():
        return False
    password_hash = await auth.hash(DEMO_PASSWORD)  # the same demo password for everyone; one hash keeps start-up fast
    for team_name, members in TEAMS.items():
        team = await Team.create(name=team_name)
        for username, name, style in members:
            await Agent.create(username=username, display_name=name, password_hash=password_hash, role='agent',
                               team=team, is_demo=True, style=style, email=demo_email(username))
    await Agent.create(username=LEAD[0], display_name=LEAD[1], password_hash=password_hash, role='lead', is_demo=True,
                       email=demo_email(LEAD[0]))
    for shortcut, title, body in CANNED_REPLIES:
        await CannedReply.create(shortcut=shortcut, title=title, body=body, language='en')
    for name, language in CUSTOMERS:
        email = name.lower().replace(' ', '.') + '@example.com'
        customer = await Customer.create(name=name, email=email, language=language)
        await seed_crm_details(customer)
    await seed_demo_workspace()
    return True


PRODUCTS = [('Starter plan (yearly)', 9_900), ('Business plan (monthly)', 4_900), ('Wireless keyboard', 5_990),
            ('Extended warranty', 2_500), ('USB-C dock', 12_900), ('Onboarding session', 15_000)]
PHONE_PREFIXES = {'en': '+44 20 7946', 'fr': '+33 1 70 18', 'nl': '+31 20 794', 'lv': '+371 2 612'}


async def seed_crm_details(customer: Customer) -> None:
    """What the CRM card shows of a demo customer: company (the one the simulator signs their messages with), phone,
    social handle, a note or custom field for some, and a few purchases."""
    number = customer.id
    customer.company = company_of(number, customer.language)
    customer.phone = f'{PHONE_PREFIXES.get(customer.language, "+1 555")} {1000 + number * 37 % 9000:04d}'
    customer.social_handle = '@' + customer.name.lower().replace(' ', '_') if number % 3 else ''
    if number % 4 == 0:
        customer.other_emails = [f'{customer.name.split()[0].lower()}@{customer.name.split()[-1].lower()}.example']
    if customer.company:
        customer.custom_fields = {'Customer since': str(2015 + number % 10), 'Plan': 'Business' if number % 2 else
                                  'Starter'}
    if number % 5 == 1:
        customer.notes = 'Prefers e-mail over phone calls.'
    await customer.save()
    first_purchase = datetime(2026, 1, 5, 10, 0, tzinfo=UTC) + timedelta(days=number * 11)
    for index in range(number % 3 + 1):
        product, cents = PRODUCTS[(number + index * 2) % len(PRODUCTS)]
        await Purchase.create(customer=customer, product=product, amount_cents=cents,
                              purchased_at=first_purchase + timedelta(days=index * 47))


DEPARTMENTS = {
    'Billing': ('Invoices, payments and refunds', ['ana', 'bruno', 'chloe', 'daan', 'emma']),
    'Technical': ('Log-in problems, bugs and how-to questions', ['emma', 'farid', 'greta', 'hugo', 'kim']),
    'Sales': ('Plans, upgrades and quotes', ['ines', 'janis', 'kim', 'liga', 'ana']),
}
CAPACITY_BY_STYLE = {'fast': 4, 'careful': 2}
SLA_POLICIES = [  # priority, first response and resolution minutes, escalate at %, escalation
    ('urgent', 15, 60, 75, 'reassign'), ('high', 30, 240, 80, 'notify_lead'),
    ('normal', 120, 480, 80, 'raise_priority'), ('low', 480, 1440, 80, 'none')]
SALES_WORDS = ['subscription', 'upgrade', 'payment', 'abonnement', 'paiement', 'betaling', 'abonements', 'maksājum']
FOLLOW_UP = ('Hi {customer_first_name}, we resolved {ticket_number} yesterday. Is everything working as it should? '
             'If not, just reply to this message. – {agent_first_name}')


async def seed_demo_workspace() -> None:
    """Departments with their members, agents' channel skills and capacity, SLA policies and example rules; routing
    stays off (agents and the simulator take from the queue) until a lead turns it on in /admin/workspace."""
    agents = {agent.username: agent for agent in await Agent.filter(role='agent').order_by('id')}
    departments = {}
    for name, (description, members) in DEPARTMENTS.items():
        departments[name] = department = await Department.create(name=name, description=description)
        for username in members:
            await AgentDepartment.create(agent=agents[username], department=department)
    channels = [channel.value for channel in Channel]
    for index, agent in enumerate(agents.values()):
        await AgentSkills.create(agent=agent, channels=channels, capacity=CAPACITY_BY_STYLE.get(agent.style, 3),
                                 dedicated_channel=channels[index % len(channels)])
    await RoutingSettings.create(id=1, mode='off', model='shared')
    for priority, first_response, resolution, percent, escalation in SLA_POLICIES:
        await SlaPolicy.create(priority=priority, first_response_minutes=first_response,
                               resolution_minutes=resolution, escalate_at_percent=percent, escalation=escalation)
    created_at = datetime(2000, 1, 1, tzinfo=UTC)  # before any demo time: the rules apply from the start
    await AutomationRule.create(
        name='Sales keywords go to Sales', trigger='conversation_created', action='set_department',
        value=str(departments['Sales'].id), created_at=created_at,
        conditions=[{'field': 'text', 'operator': 'contains_any', 'value': SALES_WORDS}])
    await AutomationRule.create(name='Follow up a day after resolution', trigger='after_resolution',
                                action='send_message', value=FOLLOW_UP, delay_minutes=24 * 60, created_at=created_at)
    await AutomationRule.create(name='Close pending conversations after 3 days without a reply',
                                trigger='pending_without_reply', action='resolve', delay_minutes=3 * 24 * 60,
                                created_at=created_at)


async def seed_demo_queue(inbox: InboxService) -> None:
    """A few conversations already waiting, so the inbox has work even before the simulator runs."""
    customers = await Customer.all().order_by('id').limit(8)
    problems = [('Refund for order', 'Hello, I returned my order last week and I am still waiting for the refund.'),
                ('Cannot log in', 'Hi, I cannot log in to my account, it says my password is wrong.'),
                ('Where is my parcel?', 'My parcel was supposed to arrive yesterday. Where is it?'),
                ('Upgrade my subscription', 'I would like to upgrade my subscription to the business plan.')]
    for index, customer in enumerate(customers):
        subject, body = problems[index % len(problems)]
        await inbox.create_conversation(customer_id=customer.id, channel=list(Channel)[index % len(Channel)],
                                        subject=subject, body=body, priority='high' if index % 3 == 0 else 'normal')


REWARDS = [
    RewardDraft(name='Coffee on the house', description='A barista coffee of your choice, on us.', cost=30),
    RewardDraft(name='Movie voucher', description='Two cinema tickets for a film of your choice.', cost=200, stock=5),
    RewardDraft(name='Team lunch', description='Lunch for you and your team at the place you pick.', cost=400,
                stock=2),
    RewardDraft(name='A day off', description='One extra paid day off, planned with your lead.', cost=1000, stock=3),
]


async def seed_demo_game(rewards: RewardService, incentives: IncentiveService, directory: Directory) -> None:
    """A few rewards in the store and a running incentive: double points for chats this week, 14:00 to 17:00 UTC."""
    lead = next(agent for agent in directory.agents.values() if agent.username == LEAD[0])
    for draft in REWARDS:
        await rewards.save(lead, draft)
    today = rewards.clock.now().date()
    await incentives.save(lead, Incentive(name='chat afternoon', kind=IncentiveKind.MULTIPLIER, channel='chat',
                                          starts_on=today, ends_on=today + timedelta(days=6), from_time='14:00',
                                          until_time='17:00', multiplier=2))


QUESTS = [
    QuestDraft(title='Resolve 8 conversations today', description='Every resolution counts, on any channel.',
               target=8, preset='today', reward_points=30, repeat='daily'),  # a new round every day
    QuestDraft(title='5 happy customers this week', description='Customers who rate your help good.', kind='rated',
               rating='good', target=5, preset='this_week', reward_points=40, reward_domain='quality',
               repeat='weekly'),
    QuestDraft(title='Team mission: 60 resolved this week', description='The whole team works on it together; '
               'everyone in the team gets the reward.', target=60, preset='this_week', scope='team',
               reward_points=25),
]


async def seed_demo_quests(quests: QuestService, directory: Directory) -> None:
    """Two running quests and a team mission, so a fresh demo shows bars that move."""
    lead = next(agent for agent in directory.agents.values() if agent.username == LEAD[0])
    for draft in QUESTS:
        await quests.save(lead, draft)
