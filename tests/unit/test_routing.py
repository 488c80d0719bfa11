"""The pure routing choice: capacity, departments, channel skills, dedicated or shared model, round-robin or least
busy."""
from services.helpdesk.routing import AgentRouting, can_serve, choose_agent

ANA = AgentRouting(agent_id=1, departments=frozenset({10}), channels=frozenset({'email', 'chat'}), capacity=2,
                   dedicated_channel='email')
BEN = AgentRouting(agent_id=2, departments=frozenset({10, 20}), channels=frozenset({'email', 'phone'}), capacity=3,
                   dedicated_channel='phone')
CAT = AgentRouting(agent_id=3, departments=frozenset(), channels=frozenset({'email', 'chat', 'phone', 'social'}),
                   capacity=1, dedicated_channel='chat')


def choose(channel: str = 'email', department_id: int | None = None, *, agents=(ANA, BEN, CAT), load=None,
           last_routed=None, mode: str = 'round_robin', model: str = 'shared') -> int | None:
    return choose_agent(channel=channel, department_id=department_id, agents=agents, load=load or {},
                        last_routed=last_routed or {}, mode=mode, model=model)


def test_round_robin_takes_turns_in_order() -> None:
    last_routed: dict[int, int] = {}
    chosen = []
    for turn in range(6):
        agent_id = choose(last_routed=last_routed)
        chosen.append(agent_id)
        last_routed[agent_id] = turn
    assert chosen == [1, 2, 3, 1, 2, 3]


def test_least_busy_takes_the_agent_with_fewest_in_hand_ties_by_turn() -> None:
    assert choose(mode='least_busy', load={1: 1, 2: 0, 3: 0}) == 2
    assert choose(mode='least_busy', load={1: 1, 2: 0, 3: 0}, last_routed={2: 5}) == 3
    assert choose(mode='least_busy', load={1: 0, 2: 2, 3: 0}, last_routed={1: 4, 3: 3}) == 3


def test_capacity_is_respected() -> None:
    assert choose(load={1: 2, 2: 3, 3: 1}) is None
    assert choose(load={1: 2, 2: 2, 3: 1}) == 2
    assert choose(mode='least_busy', load={1: 1, 2: 3, 3: 1}, last_routed={1: 5}) == 1  # the only one with room


def test_department_only_goes_to_its_members_and_no_department_to_anyone() -> None:
    assert choose(department_id=20) == 2
    assert choose(department_id=10, last_routed={1: 0}) == 2
    assert choose(department_id=30) is None
    assert can_serve(CAT, channel='email', department_id=None, model='shared')
    assert not can_serve(CAT, channel='email', department_id=10, model='shared')


def test_shared_model_needs_the_channel_skill() -> None:
    assert choose('social') == 3
    assert choose('phone', last_routed={2: 1, 3: 0}) == 3
    assert choose('chat', agents=(BEN,)) is None


def test_dedicated_model_serves_only_the_agents_own_channel() -> None:
    assert choose('email', model='dedicated') == 1
    assert choose('phone', model='dedicated') == 2
    assert choose('chat', model='dedicated') == 3
    assert choose('social', model='dedicated') is None
    no_dedicated = AgentRouting(agent_id=4)
    assert not can_serve(no_dedicated, channel='email', department_id=None, model='dedicated')
    assert can_serve(no_dedicated, channel='email', department_id=None, model='shared')


def test_nobody_available_means_nobody_chosen() -> None:
    assert choose(agents=()) is None
