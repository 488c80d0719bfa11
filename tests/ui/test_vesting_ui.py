"""The progress card's pending and banked points (issue 18's vesting), kept up as the agent resolves."""
from nicegui.testing import User

from services.domain.wording import number
from tests.ui.support import agent, log_in, services


async def test_the_card_shows_pending_and_banked_points(user: User) -> None:
    ana = agent('ana')
    await log_in(user, 'ana')
    game = services().game.projection
    await user.should_see(marker='card-vesting', content=f'pending 0 · banked {number(game.agents[ana.id].points)}'
                          if ana.id in game.agents else 'pending 0 · banked 0', retries=50)
    conversation_id = min(item.id for item in services().inbox.items() if item.status != 'resolved')
    await services().inbox.reply(ana, conversation_id, 'Hello, looking into it')
    await services().inbox.resolve(ana, conversation_id)
    pending = services().game.projection.pending(ana.id, services().clock.now())
    banked = services().game.projection.agents[ana.id].points - pending
    assert pending > 0  # a new floor's window is on: the resolution's points wait for it
    await user.should_see(marker='card-vesting', content=f'pending {number(pending)} · banked {number(banked)}',
                          retries=50)
