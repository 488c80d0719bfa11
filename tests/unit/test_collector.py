"""When the tab collector collects the frozen objects too (services/platform/collector.py): worth it, or cheap."""
from services.platform.collector import CHEAP_TABS, CLOSED_SHARE, GROWTH_LIMIT, TAB_ALLOWANCE, full_collection_due

MIB = 2 ** 20


def due(*, closed: int, open_tabs: int, grown: int = 0, rss_at_full: int = 600 * MIB) -> bool:
    """With as many tabs open as at the last full collection."""
    return full_collection_due(closed=closed, open_tabs=open_tabs, rss=rss_at_full + grown, rss_at_full=rss_at_full,
                               tabs_at_full=open_tabs)


def test_a_busy_floor_waits_until_ten_times_as_many_tabs_have_closed_as_are_open() -> None:
    assert not due(closed=0, open_tabs=500)
    assert not due(closed=500, open_tabs=500)  # the morning's log-in pages, each a tab that closed: no stall for it
    assert not due(closed=4_999, open_tabs=500)
    assert due(closed=5_000, open_tabs=500)


def test_a_mid_sized_floor_collects_after_ten_closed_tabs_per_open_one() -> None:
    open_tabs = CHEAP_TABS + 1
    assert not due(closed=int(CLOSED_SHARE * open_tabs) - 1, open_tabs=open_tabs)
    assert due(closed=int(CLOSED_SHARE * open_tabs), open_tabs=open_tabs)


def test_an_almost_empty_floor_collects_at_once_because_it_is_cheap() -> None:
    assert due(closed=1, open_tabs=CHEAP_TABS)
    assert due(closed=1, open_tabs=0)
    assert not due(closed=0, open_tabs=0)


def test_memory_growth_forces_it_whatever_the_tabs() -> None:
    small = 100 * MIB  # a small process: the fixed limit counts
    assert not due(closed=0, open_tabs=500, grown=GROWTH_LIMIT, rss_at_full=small)
    assert due(closed=0, open_tabs=500, grown=GROWTH_LIMIT + 1, rss_at_full=small)
    big = 4 * GROWTH_LIMIT  # a large process: half of its size is the limit
    assert not due(closed=0, open_tabs=500, grown=big // 2, rss_at_full=big)
    assert due(closed=0, open_tabs=500, grown=big // 2 + 1, rss_at_full=big)


def test_tabs_opening_are_not_growth_to_collect() -> None:
    """The morning: 500 tabs open one after the other, each holding its page; none of that is garbage."""
    small = 100 * MIB
    opened = 400 * TAB_ALLOWANCE
    assert not full_collection_due(closed=0, open_tabs=400, rss=small + opened, rss_at_full=small, tabs_at_full=0)
    assert not full_collection_due(closed=0, open_tabs=400, rss=small + opened + GROWTH_LIMIT, rss_at_full=small,
                                   tabs_at_full=0)
    # growth beyond what the new tabs explain still counts, and tabs open at the last collection explain nothing
    assert full_collection_due(closed=0, open_tabs=400, rss=small + opened + GROWTH_LIMIT + 1, rss_at_full=small,
                               tabs_at_full=0)
    assert full_collection_due(closed=0, open_tabs=400, rss=small + GROWTH_LIMIT + 1, rss_at_full=small,
                               tabs_at_full=400)
