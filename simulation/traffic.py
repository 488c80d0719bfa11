"""What simulated traffic looks like: arrival rates by hour, handling times, agent styles and customer texts."""
from dataclasses import dataclass

from services.events import Channel

# contacts per hour at the busiest hour, per channel
# about 55 an hour at the peak keeps a 12-agent floor busy (~70 % occupied) with a short queue now and then
PEAK_ARRIVALS_PER_HOUR = {Channel.EMAIL: 16.0, Channel.CHAT: 18.0, Channel.PHONE: 11.0, Channel.SOCIAL: 10.0}
# share of the peak rate for each hour of the day: quiet nights, a morning peak, a softer afternoon one
HOURLY_PROFILE = (0.10, 0.08, 0.06, 0.06, 0.08, 0.15, 0.30, 0.55, 0.85, 1.00, 0.95, 0.85,
                  0.70, 0.80, 0.85, 0.80, 0.70, 0.55, 0.40, 0.30, 0.25, 0.20, 0.15, 0.12)
MEAN_HANDLE_SECONDS = {Channel.EMAIL: 420.0, Channel.CHAT: 480.0, Channel.PHONE: 360.0, Channel.SOCIAL: 300.0}
PRIORITY_WEIGHTS = {'low': 2, 'normal': 6, 'high': 2, 'urgent': 1}


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentStyle:
    name: str
    handle_factor: float  # multiplies the channel's mean handling time
    reaction_seconds: float  # mean delay before picking up the next conversation
    canned_share: float  # how often the first reply is a canned one
    good_rating: float  # probability the customer rates good
    bad_rating: float  # probability the customer rates bad


STYLES = {
    'fast': AgentStyle(name='fast', handle_factor=0.6, reaction_seconds=20, canned_share=0.85, good_rating=0.55,
                       bad_rating=0.15),
    'careful': AgentStyle(name='careful', handle_factor=1.4, reaction_seconds=60, canned_share=0.4, good_rating=0.8,
                          bad_rating=0.04),
    'chatty': AgentStyle(name='chatty', handle_factor=1.2, reaction_seconds=40, canned_share=0.5, good_rating=0.7,
                         bad_rating=0.08),
    'steady': AgentStyle(name='steady', handle_factor=1.0, reaction_seconds=45, canned_share=0.6, good_rating=0.65,
                         bad_rating=0.08),
}
DEFAULT_STYLE = STYLES['steady']

PROBLEMS = [
    ('Refund for order', 'Hello, I returned my order last week and I am still waiting for the refund.'),
    ('Cannot log in', 'Hi, I cannot log in to my account, it says my password is wrong.'),
    ('Where is my parcel?', 'My parcel was supposed to arrive yesterday. Where is it?'),
    ('Upgrade my subscription', 'I would like to upgrade my subscription to the business plan.'),
    ('Invoice is wrong', 'The invoice I received has the wrong company name on it.'),
    ('App crashes', 'The mobile app crashes every time I open the settings page.'),
    ('Change delivery address', 'Can I still change the delivery address of my order?'),
    ('Payment failed', 'My card payment failed twice but the money left my account.'),
]
FREE_REPLIES = [
    'Thanks for the details, I am checking this with our team now.',
    'I have looked into your account and found the cause; it is fixed now.',
    'Could you try again now? I have reset the setting on our side.',
    'I have updated your order, you will get a confirmation e-mail shortly.',
]
FOLLOW_UPS = ['Thanks, one more question: does this also apply to my other order?', 'It still does not work, sorry.',
              'Here is the screenshot you asked for.']
CLOSING_SHORTCUTS = ('thanks', 'refund', 'reset', 'shipping')
