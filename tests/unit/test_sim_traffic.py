"""The traffic model: rates by hour and scenario, shifts, patience, customers and the texts agents write."""
import random
import statistics
from collections import Counter

import pytest

from services.domain.events import Channel, Rating
from simulation.traffic import (
    ABANDONING,
    CHANNEL_MIX,
    COMPANIES,
    HOURLY_PROFILE,
    LANGUAGE_MIX,
    NAMES,
    PATIENCE_FACTOR,
    PROBLEMS,
    REPLY_SENTENCES,
    SCENARIOS,
    SHIFT_HOURS,
    STYLES,
    TrafficModel,
    free_reply,
    make_customer,
    plan_shifts,
    rating,
)


def model(scenario: str, **changes: object) -> TrafficModel:
    values = {'scenario': SCENARIOS[scenario], 'arrivals_per_hour': 100.0, 'mean_handle_seconds': 300.0,
              'patience_seconds': 90.0, **changes}
    return TrafficModel(**values)  # type: ignore[arg-type]


def test_the_rate_averages_to_the_arrival_rate_and_follows_the_profile() -> None:
    normal = model('normal')
    daily = sum(normal.hourly_rate(channel, hour) for channel in Channel for hour in range(24))
    assert daily / 24 == pytest.approx(100.0)
    for channel in Channel:
        daily_channel = sum(normal.hourly_rate(channel, hour) for hour in range(24))
        assert daily_channel / 24 == pytest.approx(100 * CHANNEL_MIX[channel])
    assert normal.hourly_rate(Channel.CHAT, 9) / normal.hourly_rate(Channel.CHAT, 3) == \
        pytest.approx(HOURLY_PROFILE[9] / HOURLY_PROFILE[3])
    steady = model('steady')
    assert {steady.hourly_rate(Channel.CHAT, hour) for hour in range(24)} == {100 * CHANNEL_MIX[Channel.CHAT]}


def test_only_the_chosen_channels_get_traffic() -> None:
    chat_only = model('normal', channels=(Channel.CHAT,))
    assert sum(chat_only.hourly_rate(Channel.CHAT, hour) for hour in range(24)) / 24 == pytest.approx(100.0)
    assert chat_only.hourly_rate(Channel.EMAIL, 10) == 0
    assert chat_only.next_arrival(Channel.EMAIL, 0.0, 0.0, random.Random(1)) == float('inf')
    with pytest.raises(ValueError):
        model('normal', channels=())


def test_surges() -> None:
    normal, sales, storm = model('normal'), model('sales_day'), model('social_storm')
    for hour in range(24):
        chat = sales.hourly_rate(Channel.CHAT, hour) / normal.hourly_rate(Channel.CHAT, hour)
        assert chat == pytest.approx(3.0 if 12 <= hour < 18 else 1.0)
        assert sales.hourly_rate(Channel.PHONE, hour) == normal.hourly_rate(Channel.PHONE, hour)
        social = storm.hourly_rate(Channel.SOCIAL, hour) / normal.hourly_rate(Channel.SOCIAL, hour)
        assert social == pytest.approx(6.0 if 10 <= hour < 16 else 1.0)


def test_only_chat_and_phone_customers_hang_up_each_with_its_own_patience() -> None:
    rng = random.Random(1)
    normal, steady = model('normal'), model('steady')
    assert ABANDONING == {Channel.CHAT, Channel.PHONE}
    assert normal.patience(Channel.EMAIL, rng) == normal.patience(Channel.SOCIAL, rng) == float('inf')

    def mean(traffic: TrafficModel, channel: Channel) -> float:
        return statistics.fmean(traffic.patience(channel, rng) for _ in range(20_000))
    chat, phone = mean(normal, Channel.CHAT), mean(normal, Channel.PHONE)
    assert chat == pytest.approx(90.0 * PATIENCE_FACTOR[Channel.CHAT], rel=0.03)
    assert phone == pytest.approx(90.0 * PATIENCE_FACTOR[Channel.PHONE], rel=0.03)
    live = CHANNEL_MIX[Channel.CHAT] + CHANNEL_MIX[Channel.PHONE]
    assert (chat * CHANNEL_MIX[Channel.CHAT] + phone * CHANNEL_MIX[Channel.PHONE]) / live == pytest.approx(90, rel=0.03)
    assert mean(steady, Channel.CHAT) == pytest.approx(90.0, rel=0.03) == mean(steady, Channel.PHONE)
    assert model('normal', patience_seconds=None).patience(Channel.PHONE, rng) == float('inf')


@pytest.mark.parametrize('floor', [3, 5, 12, 50])
def test_shifts_cover_every_hour_and_follow_the_day(floor: int) -> None:
    shifts = plan_shifts(floor, SCENARIOS['normal'])
    cover = [sum(shift.on_duty(hour) for shift in shifts) for hour in range(24)]
    assert min(cover) >= 1
    assert sum(cover) == floor * SHIFT_HOURS  # everyone works one 8-hour shift a day
    if floor >= 12:
        assert cover[10] >= 5 * cover[3]  # the morning peak is staffed, the night is not


def test_understaffed_and_steady_floors() -> None:
    understaffed = plan_shifts(20, SCENARIOS['understaffed'])
    assert sum(shift.present for shift in understaffed) == 12
    assert all(sum(shift.on_duty(hour) for shift in understaffed) >= 1 for hour in range(24))
    assert all(shift.start is None and shift.on_duty(3) for shift in plan_shifts(7, SCENARIOS['steady']))
    assert all(shift.start is None for shift in plan_shifts(2, SCENARIOS['normal']))  # too small for shifts


def test_customers_speak_four_languages_with_matching_names() -> None:
    rng = random.Random(3)
    customers = [make_customer(number, rng) for number in range(1, 4001)]
    languages = Counter(customer.language for customer in customers)
    for language, share in LANGUAGE_MIX.items():
        assert languages[language] / len(customers) == pytest.approx(share, abs=0.03)
    for customer in customers:
        first, last = customer.name.split(' ', 1)
        assert any(first in firsts and last in lasts for firsts, lasts in NAMES[customer.language])
        assert customer.company in COMPANIES[customer.language] + ('',)
        assert customer.email.isascii() and customer.email.endswith('@example.com')
    assert 0.5 < sum(bool(customer.company) for customer in customers) / len(customers) < 0.7
    assert len({customer.email for customer in customers}) == len(customers)


def test_every_language_has_the_same_problems_and_replies() -> None:
    assert set(PROBLEMS) == set(REPLY_SENTENCES) == set(LANGUAGE_MIX)
    assert len({len(problems) for problems in PROBLEMS.values()}) == 1
    assert len({len(sentences) for sentences in REPLY_SENTENCES.values()}) == 1


def test_free_replies_have_the_length_of_the_style() -> None:
    rng = random.Random(4)

    def length(style: str) -> float:
        return statistics.fmean(len(free_reply(STYLES[style], 'fr', rng)) for _ in range(400))
    assert length('fast') < length('steady') < length('careful') < length('chatty')
    assert 80 < length('fast') < 250 and 500 < length('chatty') < 900
    assert free_reply(STYLES['steady'], 'nl', rng).split(' ')[0] in {s.split(' ')[0] for s in REPLY_SENTENCES['nl']}


def test_ratings_follow_the_style_and_sour_with_waiting() -> None:
    rng = random.Random(5)

    def shares(style: str, waited: float) -> Counter:
        return Counter(rating(STYLES[style], waited, rng) for _ in range(20_000))
    careful, fast, fast_after_a_wait = shares('careful', 0), shares('fast', 0), shares('fast', 1800)
    assert careful[None] / 20_000 == pytest.approx(0.2, abs=0.02)  # one in five does not rate
    assert careful[Rating.GOOD] > fast[Rating.GOOD] > fast_after_a_wait[Rating.GOOD]
    assert careful[Rating.BAD] < fast[Rating.BAD] < fast_after_a_wait[Rating.BAD]
