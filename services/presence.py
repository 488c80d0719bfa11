"""Which people have DeskQuest open right now (counted per tab), so the simulator leaves their work to them."""
from collections import Counter


class Presence:
    def __init__(self) -> None:
        self._tabs: Counter[int] = Counter()

    def tab_opened(self, agent_id: int) -> None:
        self._tabs[agent_id] += 1

    def tab_closed(self, agent_id: int) -> None:
        self._tabs[agent_id] -= 1
        if self._tabs[agent_id] <= 0:
            del self._tabs[agent_id]

    def is_online(self, agent_id: int) -> bool:
        return self._tabs[agent_id] > 0 if agent_id in self._tabs else False

    def is_available(self, agent_id: int) -> bool:
        """Whether new conversations may be routed to this agent: online and not away or on a break."""
        return self.is_online(agent_id)
