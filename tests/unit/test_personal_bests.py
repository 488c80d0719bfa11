"""Personal bests, streaks and the recap card (issue 20): the pure folds over an agent's days."""
from datetime import date, timedelta
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.personal_bests import (
    CSAT_WEEK_MINIMUM,
    Best,
    DayFigures,
    RecapPeriod,
    Record,
    best_day_in,
    bests_set_in,
    finished,
    fold_days,
    fold_since,
    longest_streak_in,
    month_period,
    new_best_notice,
    new_bests,
    previous_month,
    with_today,
)
from services.domain.recap import KindWord, Recap, recap_svg

MONDAY = date(2026, 11, 30)  # a Monday; 4 December is a Friday, 5 and 6 the weekend


def worked(*days: date, points: int = 10, resolved: int = 1) -> dict[date, DayFigures]:
    return {day: DayFigures(points=points, resolved=resolved) for day in days}


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def test_a_weekend_off_does_not_end_a_streak_but_a_weekday_off_does() -> None:
    week = worked(day(0), day(1), day(2), day(3), day(4), day(7))  # Monday to Friday, then Monday
    assert fold_days(week, until=day(7)).records[Best.LONGEST_STREAK] == Record(value=6, day=day(7))
    broken = worked(day(0), day(1), day(3))  # Wednesday off
    bests = fold_days(broken, until=day(3))
    assert bests.records[Best.LONGEST_STREAK] == Record(value=2, day=day(1))
    assert bests.streak.length == 1
    weekend = worked(day(4), day(5), day(7))  # Saturday worked counts, Sunday off does not end it
    assert fold_days(weekend, until=day(7)).records[Best.LONGEST_STREAK].value == 3


def test_today_never_ends_the_current_streak_but_a_weekday_without_resolutions_does() -> None:
    bests = fold_days(worked(day(0), day(1), day(2)), until=day(2))
    assert bests.current_streak(day(2)) == 3
    assert bests.current_streak(day(3)) == 3  # Thursday morning, nothing resolved yet: still running
    assert bests.current_streak(day(4)) == 0  # Thursday passed without a resolution
    friday = fold_days(worked(day(4)), until=day(4))
    assert friday.current_streak(day(7)) == 1  # Monday after a weekend off
    assert fold_days(worked(day(0), resolved=0), until=day(0)).current_streak(day(0)) == 0  # reopened: no resolution


def test_a_record_is_beaten_not_equalled_and_the_best_day_of_a_period_breaks_ties() -> None:
    days = {day(0): DayFigures(points=30, resolved=3), day(1): DayFigures(points=30, resolved=5),
            day(2): DayFigures(points=12, resolved=5)}
    bests = fold_days(days, until=day(2))
    assert bests.records[Best.BEST_DAY] == Record(value=30, day=day(0))  # the tie keeps the first
    assert bests.records[Best.MOST_RESOLVED] == Record(value=5, day=day(1))
    period = RecapPeriod(start=day(0), end=day(6))
    assert best_day_in(days, period) == (day(1), days[day(1)])  # same points: more resolutions wins
    assert best_day_in({day(3): DayFigures(points=9), day(2): DayFigures(points=9)}, period)[0] == day(2)
    assert best_day_in({}, period) is None


def test_months_end_where_the_calendar_says_and_records_belong_to_the_month_they_were_set_in() -> None:
    assert month_period(2028, 2) == RecapPeriod(start=date(2028, 2, 1), end=date(2028, 2, 29))
    assert previous_month(month_period(2027, 1)) == month_period(2026, 12)
    november, december = month_period(2026, 11), month_period(2026, 12)
    days = {date(2026, 11, 2): DayFigures(points=20, resolved=2),  # the first day: nothing to beat
            date(2026, 11, 3): DayFigures(points=25, resolved=1),  # a best day in November
            **worked(date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)),  # a streak across the months
            date(2026, 12, 3): DayFigures(points=40, resolved=4)}
    assert bests_set_in(days, november) == {Best.BEST_DAY: Record(value=25, day=date(2026, 11, 3)),
                                            Best.LONGEST_STREAK: Record(value=2, day=date(2026, 11, 3))}
    assert bests_set_in(days, december) == {
        Best.BEST_DAY: Record(value=40, day=date(2026, 12, 3)),
        Best.MOST_RESOLVED: Record(value=4, day=date(2026, 12, 3)),
        Best.LONGEST_STREAK: Record(value=4, day=date(2026, 12, 3))}  # counted from 30 November
    assert longest_streak_in(days, december).length == 3  # within December's own days
    assert bests_set_in(days, month_period(2026, 10)) == {}


def test_the_best_csat_week_needs_enough_ratings() -> None:
    few = {day(0): DayFigures(rated=CSAT_WEEK_MINIMUM - 1, rated_good=CSAT_WEEK_MINIMUM - 1)}
    assert Best.BEST_CSAT_WEEK not in finished(fold_days(few, until=day(6))).records
    weeks = {day(0): DayFigures(rated=4, rated_good=3), day(2): DayFigures(rated=4, rated_good=4),  # 7/8
             day(7): DayFigures(rated=5, rated_good=4)}  # 4/5
    assert finished(fold_days(weeks, until=day(7))).records[Best.BEST_CSAT_WEEK] == Record(value=87.5, day=day(0))


def test_a_new_best_is_told_once_it_beats_an_earlier_one() -> None:
    before = fold_days(worked(day(0), points=30, resolved=3), until=day(0))
    today = with_today(before, day(2), DayFigures(points=31, resolved=3))  # Tuesday off: the streak starts again
    assert new_bests(before, today, day(2)) == [(Best.BEST_DAY, Record(value=31, day=day(2)))]
    assert new_bests(before, with_today(before, day(2), DayFigures(points=30, resolved=3)), day(2)) == []
    first = with_today(fold_days({}, until=day(0)), day(1), DayFigures(points=5, resolved=1))
    assert new_bests(fold_days({}, until=day(0)), first, day(1)) == []  # a first day beats nothing
    assert new_best_notice(Best.MOST_RESOLVED, Record(value=14, day=day(1))).text() == \
        'New personal best: 14 resolutions in a day'


days_strategy = st.dictionaries(st.integers(0, 40).map(day),
                                st.builds(DayFigures, points=st.integers(-5, 60), resolved=st.integers(-1, 6),
                                          rated=st.integers(0, 3), rated_good=st.integers(0, 3)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(days=days_strategy, today=st.integers(1, 41).map(day))
def test_the_live_bests_equal_a_fold_of_every_day(days: dict[date, DayFigures], today: date) -> None:
    """The card's incremental bests (the closed days folded once, today on top) are those of a replay."""
    closed = fold_days(days, until=today - timedelta(days=1))
    live = with_today(closed, today, days.get(today, DayFigures()))
    replay = finished(fold_days(days, until=today))
    assert live.records == replay.records
    assert live.current_streak(today) == replay.current_streak(today)
    # the next morning, the card folds on the day that ended rather than the whole history
    tomorrow = today + timedelta(days=1)
    carried = fold_since(closed, today, tomorrow, lambda day: days.get(day, DayFigures()))
    assert finished(carried).records == finished(fold_days(days, until=today)).records
    assert carried.current_streak(tomorrow) == fold_days(days, until=today).current_streak(tomorrow)


def test_the_recap_card_is_an_svg_with_every_text_escaped() -> None:
    period = month_period(2026, 12)
    recap = Recap(agent_id=1, agent_name='<script>alert(1)</script> & Co', period=period,
                  days=tuple((d, DayFigures(points=n, resolved=1)) for n, d in enumerate(period.days()[:6])),
                  best_day=(period.days()[5], DayFigures(points=5, resolved=1)),
                  bests_set=((Best.BEST_DAY, Record(value=5, day=period.days()[5])),),
                  longest_streak=longest_streak_in({}, period), current_streak=0,
                  skills={'quality': 10}, previous_skills={'quality': 4, 'speed': 3},
                  kind_words=(KindWord(text='Thanks "a lot" <b>', by='', day=period.start),))
    svg = recap_svg(recap)
    root = ElementTree.fromstring(svg)  # well-formed: the texts did not become markup
    assert root.get('width') == '1200' and root.get('height') == '675'
    texts = [element.text for element in root.iter('{http://www.w3.org/2000/svg}text')]
    assert '<script>alert(1)</script> & Co’s recap' in texts
    assert '“Thanks "a lot" <b>”' in texts and 'Quality +6' in texts and 'Speed -3' in texts
    assert 'December 2026' in texts
    assert '<script>' not in svg
    assert 'No work this month' not in texts  # a bar per day instead


def test_a_period_without_work_says_so_instead_of_drawing_empty_bars() -> None:
    period = month_period(2026, 12)
    recap = Recap(agent_id=1, agent_name='Ana', period=period,
                  days=tuple((d, DayFigures()) for d in period.days()), best_day=None, bests_set=(),
                  longest_streak=longest_streak_in({}, period), current_streak=0)
    assert not recap.has_work
    root = ElementTree.fromstring(recap_svg(recap))
    texts = [element.text for element in root.iter('{http://www.w3.org/2000/svg}text')]
    assert 'No work this month' in texts
    season = Recap(agent_id=1, agent_name='Ana', period=RecapPeriod(start=period.start, end=period.end, season='Cup'),
                   days=((period.start, DayFigures(points=0, resolved=1)),), best_day=None, bests_set=(),
                   longest_streak=longest_streak_in({}, period), current_streak=0)
    assert season.has_work  # a resolution past the daily cap earns nothing but is work done
