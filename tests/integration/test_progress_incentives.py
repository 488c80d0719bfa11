"""The incentives running now are on the progress card (issue 15): they come and go with the clock, checked once for
the floor, and an open card is rebuilt only when the set changed."""
from datetime import timedelta

from services.container import Services
from services.domain.incentives import Incentive, IncentiveKind
from services.game.progress import ProgressView
from services.platform.clock import ManualClock
from services.platform.directory import AgentView
from tests.integration.support import until


async def test_the_card_shows_the_incentives_running_now(services: Services, clock: ManualClock, ana: AgentView,
                                                         lead: AgentView) -> None:
    today = clock.now().date()  # 08:00 on a Monday
    await services.incentives.save(lead, Incentive(name='lunch rush', kind=IncentiveKind.MULTIPLIER, starts_on=today,
                                                   ends_on=today, from_time='12:00', until_time='14:00',
                                                   multiplier=3))
    seen: list[ProgressView] = []
    services.progress.changed(ana.id).subscribe(seen.append)
    assert (await services.progress.view(ana.id)).incentives == ()  # not yet: it starts at noon

    clock.advance(timedelta(hours=4, minutes=30))
    await services.progress.check_incentives()
    await until(lambda: bool(seen) and seen[-1].incentives == ('×3 lunch rush until 14:00 UTC',),
                message=lambda: f'the card to show the lunch rush, not {[view.incentives for view in seen]}')
    pushed = len(seen)
    await services.progress.check_incentives()  # nothing changed: no card is rebuilt
    assert len(seen) == pushed

    clock.advance(timedelta(hours=2))  # 14:30: the lunch rush is over, the demo's chat afternoon runs
    await services.progress.check_incentives()
    await until(lambda: seen[-1].incentives == ('×2 chat afternoon until 17:00 UTC',),
                message=lambda: f'the card to swap the incentives, not {seen[-1].incentives}')
