"""The adversarial personas (issue 18): their choices and probabilities in the traffic model, and what the core does
with them. The claim that gaming does not win is tested over simulated months in tests/integration/test_adversarial.py.
"""
import random
from collections import Counter
from functools import cache

import pytest

from services.domain.events import Channel, EventKind
from services.domain.projection import GameProjection
from services.domain.scoring import AwardKind, ScoringPolicy
from simulation.core import Contact, RunConfig, RunResult, WaitingLine, simulate
from simulation.traffic import HANDLE_FACTOR, PERSONAS, SCENARIOS, STYLES, TrafficModel, rating

ALL = tuple(PERSONAS)


@cache
def floor(personas: tuple[str, ...] = ALL, seed: int = 2) -> RunResult:
    """Three days of a floor of 10 on shifts, with the personas among them."""
    return simulate(RunConfig(agents=10, arrivals_per_hour=18, mean_handle_seconds=420, hours=72, scenario='normal',
                              seed=seed, personas=personas))


def by_style(result: RunResult) -> dict[int, str]:
    return {agent.id: agent.style.name for agent in result.agents}


def test_a_cherry_picker_takes_small_young_contacts_and_an_honest_agent_takes_any() -> None:
    picker, honest = PERSONAS['cherry_picker'], STYLES['steady']
    quick = 0.8 / HANDLE_FACTOR[Channel.SOCIAL]  # the largest social contact a picker takes
    assert picker.accepts(Channel.SOCIAL, quick, 0.0)
    assert not picker.accepts(Channel.SOCIAL, quick * 1.01, 0.0)  # hard
    assert not picker.accepts(Channel.CHAT, quick, 0.0)  # the same size is more work on a chat
    assert not picker.accepts(Channel.SOCIAL, 0.1, 1801.0)  # old
    assert all(honest.accepts(channel, 5.0, 86_400.0) for channel in Channel)
    assert all(not style.adversarial for style in STYLES.values()) and all(p.adversarial for p in PERSONAS.values())


def test_picking_from_the_line_takes_the_least_work_it_accepts_and_leaves_the_rest_in_order() -> None:
    line = WaitingLine()
    contacts = [Contact(id=1, channel=Channel.EMAIL, arrival=0.0, deadline=float('inf'), size=2.0),
                Contact(id=2, channel=Channel.CHAT, arrival=10.0, deadline=20.0, size=0.1),  # hung up at 20 s
                Contact(id=3, channel=Channel.EMAIL, arrival=30.0, deadline=float('inf'), size=0.6),
                Contact(id=4, channel=Channel.SOCIAL, arrival=40.0, deadline=float('inf'), size=0.7),
                Contact(id=5, channel=Channel.EMAIL, arrival=50.0, deadline=float('inf'), size=0.5)]
    for contact in contacts:
        line.push(contact)
    picker = PERSONAS['cherry_picker']

    def takes(contact: Contact) -> bool:
        return picker.accepts(contact.channel, contact.size or 1.0, 60.0 - contact.arrival)

    assert line.pick(60.0, takes).id == 5  # 0.5 of e-mail's work, less than 0.7 × 0.75 on social
    assert line.pick(60.0, takes).id == 4
    assert line.pick(60.0, takes).id == 3
    assert line.pick(60.0, takes) is None  # only the hard one is left (and one who hung up)
    assert line.pop(60.0).id == 1  # an honest agent takes the line in order
    assert line.pop(60.0) is None and contacts[1].abandoned


def test_on_the_floor_the_cherry_picker_answers_only_what_it_accepts() -> None:
    result = floor()
    picker = next(agent for agent in result.agents if agent.style.name == 'cherry_picker')
    taken = [contact for contact in result.contacts if contact.agent == picker.index]
    assert len(taken) > 20
    assert all(picker.style.accepts(c.channel, c.size, c.answered_at - c.arrival) for c in taken)
    others = [contact for contact in result.contacts if contact.answered_at >= 0 and contact.agent != picker.index]
    assert sum(c.size for c in taken) / len(taken) < 0.7 < sum(c.size for c in others) / len(others)


def test_the_personas_habits_become_events_and_an_honest_floor_has_none_of_them() -> None:
    result = floor()
    styles = by_style(result)
    owner = {contact.id: result.agents[contact.agent].id for contact in result.contacts if contact.agent >= 0}
    counts: Counter[tuple[str, EventKind]] = Counter()
    for event in result.events():
        # notes on colleagues' conversations are counted in the test below: here, what each does on its own
        if event.agent_id is not None and (event.kind != EventKind.NOTE_ADDED or
                                           owner[event.conversation_id] == event.agent_id):
            counts[styles[event.agent_id], event.kind] += 1

    def per_resolution(style: str, kind: EventKind) -> float:
        return counts[style, kind] / counts[style, EventKind.RESOLVED]

    assert per_resolution('note_spammer', EventKind.NOTE_ADDED) == pytest.approx(3.0, abs=0.3)
    assert per_resolution('note_spammer', EventKind.TAGGED) == pytest.approx(2.0, abs=0.2)
    assert per_resolution('rating_farmer', EventKind.RATED) > 0.9 > 0.85 > per_resolution('steady', EventKind.RATED)
    assert per_resolution('premature_closer', EventKind.REOPENED) > 0.12 > 0.06 > per_resolution('careful',
                                                                                                   EventKind.REOPENED)
    honest = simulate(RunConfig(agents=10, arrivals_per_hour=18, mean_handle_seconds=420, hours=72, scenario='normal',
                                seed=2))
    assert not any(event.kind == EventKind.NOTE_ADDED for event in honest.events())
    assert all(contact.size is None for contact in honest.contacts)  # drawn only where someone picks by it


def test_the_note_spammer_notes_colleagues_waiting_conversations_and_is_named_their_assister() -> None:
    """What the inbox allows an agent: a note on an unassigned conversation. Whoever then resolves it names the
    spammer an assister, as the inbox's RESOLVED event does, and the default rules pay it a capped share."""
    result = floor()
    spammer = next(agent for agent in result.agents if agent.style.name == 'note_spammer')
    events = list(result.events())
    taken = {event.conversation_id: (event.agent_id, event.occurred_at) for event in events
             if event.kind == EventKind.ASSIGNED}
    on_others = [event for event in events if event.kind == EventKind.NOTE_ADDED and event.agent_id == spammer.id
                 and taken[event.conversation_id][0] != spammer.id]
    assert len(on_others) > 20
    assert all(event.occurred_at <= taken[event.conversation_id][1] for event in on_others)  # still unassigned then
    noted = {event.conversation_id for event in on_others}
    resolutions = [event for event in events if event.kind == EventKind.RESOLVED]
    assert all((spammer.id in event.data.get('assisters', ())) == (event.conversation_id in noted)
               for event in resolutions)
    assert all(set(event.data.get('assisters', ())) <= {spammer.id} and
               ('resolver_name' in event.data) == ('assisters' in event.data) for event in resolutions)
    projection = GameProjection(policy=ScoringPolicy())
    assists = Counter(award.agent_id for event in events for award in projection.apply(event).awards
                      if award.kind == AwardKind.ASSIST)
    assert set(assists) == {spammer.id} and assists[spammer.id] > 5
    honest = simulate(RunConfig(agents=10, arrivals_per_hour=18, mean_handle_seconds=420, hours=72, scenario='normal',
                                seed=2, personas=('speed_only',)))
    assert not any('assisters' in event.data for event in honest.events())


def test_the_gaming_scenario_seats_one_of_each_persona_on_a_normal_day() -> None:
    config = RunConfig(agents=10, scenario='gaming')
    assert config.personas == ALL and config.traffic().scenario.surges == ()
    assert RunConfig(agents=10, scenario='gaming', personas=('speed_only',)).personas == ('speed_only',)
    with pytest.raises(ValueError, match='at least one honest agent'):
        RunConfig(agents=5, scenario='gaming')


def test_a_problem_closed_unsolved_is_rated_worse() -> None:
    style = PERSONAS['premature_closer']
    rng = random.Random(3)
    solved = Counter(rating(style, 0.0, rng) for _ in range(20_000))
    unsolved = Counter(rating(style, 0.0, rng, solved=False) for _ in range(20_000))
    assert unsolved[None] == pytest.approx(solved[None], rel=0.1)  # as many rate
    assert unsolved['bad'] > 3 * solved['bad'] and unsolved['good'] < solved['good'] / 3


def test_a_contact_of_known_size_is_handled_in_the_same_distribution() -> None:
    model = TrafficModel(scenario=SCENARIOS['normal'], arrivals_per_hour=10, mean_handle_seconds=300)
    rng, other = random.Random(1), random.Random(1)
    style = STYLES['fast']
    sized = [model.sized_handle_seconds(Channel.CHAT, style, model.contact_size(Channel.CHAT, rng))
             for _ in range(20_000)]
    drawn = [model.handle_seconds(Channel.CHAT, style, other) for _ in range(20_000)]
    assert sum(sized) / len(sized) == pytest.approx(sum(drawn) / len(drawn), rel=0.03)
    assert sum(sized) / len(sized) == pytest.approx(300 * HANDLE_FACTOR[Channel.CHAT] * style.handle_factor, rel=0.03)


def test_personas_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown persona 'saboteur'"):
        RunConfig(agents=8, personas=('saboteur',))
    with pytest.raises(ValueError, match='at least one honest agent'):
        RunConfig(agents=5, personas=ALL)
    result = floor(('speed_only',), seed=1)
    assert [agent.style.name for agent in result.agents if agent.style.adversarial] == ['speed_only']
