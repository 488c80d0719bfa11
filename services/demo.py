"""The demo floor: teams, agents with simulated working styles, a lead, customers and canned replies."""
from models import Agent, CannedReply, Customer, Team
from services.auth import AuthService
from services.events import Channel
from services.inbox import InboxService

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


async def seed_demo_floor(auth: AuthService) -> bool:
    """Create the demo floor in an empty database; return whether anything was created."""
    if await Agent.exists():
        return False
    password_hash = auth.hash(DEMO_PASSWORD)  # the same demo password for everyone; one hash keeps start-up fast
    for team_name, members in TEAMS.items():
        team = await Team.create(name=team_name)
        for username, name, style in members:
            await Agent.create(username=username, display_name=name, password_hash=password_hash, role='agent',
                               team=team, is_demo=True, style=style)
    await Agent.create(username=LEAD[0], display_name=LEAD[1], password_hash=password_hash, role='lead', is_demo=True)
    for shortcut, title, body in CANNED_REPLIES:
        await CannedReply.create(shortcut=shortcut, title=title, body=body, language='en')
    for name, language in CUSTOMERS:
        email = name.lower().replace(' ', '.') + '@example.com'
        await Customer.create(name=name, email=email, language=language)
    return True


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
