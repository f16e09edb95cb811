"""Counting time limits ("How time limits are counted" in REQUIREMENTS.md; R20.2, R22.1, R22.2, R27.1).

`Clocks.due` is what `hotline deadline` prints; `running_clock` says which limit runs on a ticket.
2026 comes from `chinesecalendar`; 2027 is not in it, so a limit reaching into 2027 is provisional
until a holiday file has that year.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from operator_tui.domain.deadlines import Clocks, limit_clock, running_clock
from operator_tui.domain.model import Role, Status
from operator_tui.domain.policy import Limit, PolicyError, parse_policy
from operator_tui.domain.workdays import HolidayFileError, WorkCalendar, parse_holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Status

POLICY = """
timezone = "Asia/Shanghai"
end_of_day = "23:59:59"
[limits.acceptance]
unit = "workdays"
value = 3
[limits.dispatch]
unit = "workdays"
value = 2
[limits.resolution]
unit = "workdays"
value = 5
[limits.extension_cap]
unit = "months"
value = 2
[limits.recusal_decision]
unit = "workdays"
value = 3
[limits.rework]
unit = "workdays"
value = 5
"""


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    return local(y, m, d, 23, 59, 59)


@pytest.fixture
def clocks(rules) -> Clocks:
    return rules.clocks


def clocks_with(rules, holidays_text: str, source: str = "site-holidays.toml") -> Clocks:
    return Clocks(rules.policy, WorkCalendar(parse_holidays(holidays_text, source)))


WD = lambda n: Limit("workdays", n)  # noqa: E731


# --- working days -------------------------------------------------------------------------------


@pytest.mark.rule("R22.1")
def test_national_day_and_make_up_saturday(clocks):
    due = clocks.due(datetime.fromisoformat("2026-09-30T10:00:00+08:00"), WD(5))
    # 1–7 Oct off; 8 Oct (Thu), 9 Oct (Fri), 10 Oct (make-up Saturday), 12 Oct, 13 Oct
    assert due.date == date(2026, 10, 13)
    assert due.at == eod(2026, 10, 13) and due.at.utcoffset() == timedelta(hours=8)
    assert due.provisional is False


@pytest.mark.rule("R22.1")
def test_the_day_of_the_start_never_counts(clocks):
    for hour in (0, 9, 23):
        assert clocks.due(local(2026, 11, 2, hour), WD(1)).date == date(2026, 11, 3)
    assert clocks.due(local(2026, 11, 2, 23, 59), WD(0)).date == date(2026, 11, 2)
    # Friday start: Saturday and Sunday are not working days.
    assert clocks.due(local(2026, 11, 6, 10), WD(1)).date == date(2026, 11, 9)
    # A start on a holiday: the first working day after it is day 1.
    assert clocks.due(local(2026, 10, 3, 10), WD(1)).date == date(2026, 10, 8)


@pytest.mark.rule("R22.1")
def test_start_in_another_zone_counts_from_the_shanghai_date(clocks):
    # 2026-11-02T17:00Z is already Tuesday 01:00 in Anshan.
    due = clocks.due(datetime.fromisoformat("2026-11-02T17:00:00+00:00"), WD(1))
    assert due.date == date(2026, 11, 4)


@pytest.mark.rule("R22.1")
def test_naive_times_are_refused(clocks):
    with pytest.raises(ValueError):
        clocks.due(datetime(2026, 11, 2, 9), WD(1))


@pytest.mark.rule("R22.1")
def test_2027_is_provisional_without_holiday_data(clocks):
    due = clocks.due(datetime.fromisoformat("2026-12-28T10:00:00+08:00"), WD(5))
    assert due.date == date(2027, 1, 4)  # Mon–Fri fallback: 29, 30, 31 Dec, 1 Jan, 4 Jan
    assert due.provisional is True
    # A limit that stays inside 2026 is not provisional.
    assert clocks.due(local(2026, 12, 28, 10), WD(3)).provisional is False


@pytest.mark.rule("R22.1")
def test_a_holiday_file_for_2027_changes_the_answer_and_clears_provisional(rules):
    clocks = clocks_with(rules, '[2027]\nholidays = ["2027-01-01"]\n')
    due = clocks.due(datetime.fromisoformat("2026-12-28T10:00:00+08:00"), WD(5))
    assert due.date == date(2027, 1, 5) and due.provisional is False


@pytest.mark.rule("R22.1")
def test_holiday_file_make_up_days_and_corrections_win(rules):
    # A make-up Saturday in 2027 counts; a correction for 2026 turns a working day into a holiday.
    clocks = clocks_with(rules, '[2027]\nworkdays = ["2027-01-02"]\n[2026]\nholidays = ["2026-12-29"]\n')
    due = clocks.due(local(2026, 12, 28, 10), WD(5))
    # 29 Dec off (correction); 30, 31 Dec; 1 Jan (Fri, no holiday listed); 2 Jan (make-up); 4 Jan
    assert due.date == date(2027, 1, 4) and not due.provisional
    assert clocks.calendar.is_workday(date(2027, 1, 2)) == (True, False)
    assert clocks.calendar.is_workday(date(2026, 12, 29)) == (False, False)


@pytest.mark.rule("R22.1")
def test_calendar_counts_make_up_days_that_get_workdays_drops(rules):
    cal = rules.calendar
    assert cal.is_workday(date(2026, 10, 10)) == (True, False)  # Saturday, make-up
    assert cal.is_workday(date(2026, 10, 5)) == (False, False)  # Monday, National Day
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 13)) == (5, False)
    assert cal.workdays_between(date(2026, 12, 30), date(2027, 1, 4)) == (3, True)
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 11, 2), -1)


@pytest.mark.rule("R20.2")
@pytest.mark.parametrize(
    "limit, start, expected",
    [
        (Limit("hours", 1), local(2026, 10, 1, 23, 30), local(2026, 10, 2, 0, 30)),  # hours ignore holidays
        (Limit("hours", 48), local(2026, 11, 6, 10), local(2026, 11, 8, 10)),
        (Limit("days", 60), local(2026, 11, 2, 12), eod(2027, 1, 1)),  # calendar days
        (Limit("days", 1), local(2026, 9, 30, 10), eod(2026, 10, 1)),
        (Limit("months", 2), local(2026, 11, 9, 10), eod(2027, 1, 9)),
        (Limit("months", 2), local(2026, 12, 31, 10), eod(2027, 2, 28)),  # clamps to month end
        (Limit("months", 1), local(2028, 1, 31, 10), eod(2028, 2, 29)),  # leap year
    ],
)
def test_hours_days_and_months_limits(clocks, limit, start, expected):
    due = clocks.due(start, limit)
    assert due.at == expected and due.provisional is False


@pytest.mark.rule("R27.1")
def test_paused_working_days_shift_the_due(clocks):
    start = local(2026, 11, 2, 12)
    two_days = [(local(2026, 11, 3, 10), local(2026, 11, 5, 16))]  # 4 and 5 Nov stand still
    assert clocks.due(start, WD(5), two_days).date == date(2026, 11, 11)
    # An open pause runs to `now`, and needs it.
    assert clocks.due(start, WD(5), [(local(2026, 11, 3, 10), None)], local(2026, 11, 6, 9)).date == date(2026, 11, 12)
    with pytest.raises(ValueError):
        clocks.due(start, WD(5), [(local(2026, 11, 3, 10), None)])


@pytest.mark.rule("R27.1")
def test_a_pause_after_the_limit_ran_out_does_not_revive_it(clocks):
    start = local(2026, 11, 2, 12)
    late_pause = [(local(2026, 11, 10, 10), local(2026, 11, 20, 10))]
    assert clocks.due(start, WD(5), late_pause).date == date(2026, 11, 9)


@pytest.mark.rule("R27.1")
def test_a_pause_that_began_before_the_limit_still_holds_it(clocks):
    # Requested while the ticket awaited acceptance, decided after it was accepted on 3 Nov.
    pause = [(local(2026, 11, 2, 10), local(2026, 11, 5, 10))]
    assert clocks.due(local(2026, 11, 3, 9), WD(2), pause).date == date(2026, 11, 9)


@pytest.mark.rule("R27.1")
@pytest.mark.parametrize(
    "limit, expected",
    [
        (Limit("hours", 24), local(2026, 11, 4, 12)),  # 24 h + the 24 h paused
        (Limit("days", 60), eod(2027, 1, 3)),  # 1 Jan + the 2 paused calendar days (4, 5 Nov)
        (Limit("months", 1), eod(2026, 12, 4)),
    ],
)
def test_pauses_hold_limits_in_hours_days_and_months(clocks, limit, expected):
    """Defect 4 of issue 12: a 信访 ticket's 60-day limit did not move after a recusal pause."""
    start = local(2026, 11, 2, 12)
    pause = (
        [(local(2026, 11, 3, 10), local(2026, 11, 4, 10))]
        if limit.unit == "hours"
        else [(local(2026, 11, 3, 10), local(2026, 11, 5, 16))]
    )
    assert clocks.due(start, limit, pause).at == expected


# --- the policy file ----------------------------------------------------------------------------


@pytest.mark.rule("R22.1")
def test_packaged_policy_has_the_regulation_defaults(rules):
    limits = rules.policy.limits
    assert (limits["acceptance"].unit, limits["acceptance"].value) == ("workdays", 3)
    assert (limits["dispatch"].unit, limits["dispatch"].value) == ("workdays", 2)
    assert (limits["resolution"].unit, limits["resolution"].value) == ("workdays", 5)
    assert (limits["extension_cap"].unit, limits["extension_cap"].value) == ("months", 2)
    assert (limits["recusal_decision"].unit, limits["recusal_decision"].value) == ("workdays", 3)
    assert rules.policy.tz.key == "Asia/Shanghai" and rules.policy.end_of_day == time(23, 59, 59)


@pytest.mark.rule("R22.1")
def test_a_policy_file_changes_the_limits(rules):
    policy = parse_policy(
        POLICY.replace(
            '[limits.dispatch]\nunit = "workdays"\nvalue = 2', '[limits.dispatch]\nunit = "hours"\nvalue = 1'
        ).replace('end_of_day = "23:59:59"', 'end_of_day = "17:00:00"'),
        "other-city.toml",
    )
    assert policy.limits["dispatch"] == Limit("hours", 1)
    clocks = Clocks(policy, rules.calendar)
    assert clocks.due(local(2026, 11, 2, 9), policy.limits["resolution"]).at == local(2026, 11, 9, 17)


@pytest.mark.rule("R22.1")
@pytest.mark.parametrize(
    "edit, names",
    [
        (
            lambda p: p.replace(
                'unit = "workdays"\nvalue = 3\n[limits.dispatch]', 'unit = "weeks"\nvalue = 3\n[limits.dispatch]'
            ),
            "limits.acceptance",
        ),
        (lambda p: p.replace("value = 2\n[limits.resolution]", "value = 0\n[limits.resolution]"), "limits.dispatch"),
        (
            lambda p: p.replace("value = 5\n[limits.extension_cap]", 'value = "five"\n[limits.extension_cap]'),
            "limits.resolution",
        ),
        (
            lambda p: p.replace("value = 5\n[limits.extension_cap]", "value = true\n[limits.extension_cap]"),
            "limits.resolution",
        ),
        (lambda p: p.replace('[limits.rework]\nunit = "workdays"\nvalue = 5', ""), "rework"),
        (lambda p: p + "[limits.extra]\n", "limits.extra"),
        (lambda p: p + "[limits\n", "not valid TOML"),
        (lambda p: p.replace('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'), "timezone"),
        (lambda p: p.replace('end_of_day = "23:59:59"', 'end_of_day = "midnight"'), "end_of_day"),
        (lambda p: p + '[call]\nwarn_seconds = "long"\n', "call.warn_seconds"),
    ],
)
def test_policy_errors_name_the_file_and_the_entry(edit, names):
    with pytest.raises(PolicyError) as info:
        parse_policy(edit(POLICY), "/etc/hotline/policy.toml")
    message = str(info.value)
    assert message.startswith("/etc/hotline/policy.toml:"), message
    assert names in message, message


# --- the holiday file ---------------------------------------------------------------------------


@pytest.mark.rule("R22.1")
def test_packaged_holiday_file_parses(rules):
    from operator_tui.data import read_text

    parse_holidays(read_text("holidays.toml"), "holidays.toml")


@pytest.mark.rule("R22.1")
@pytest.mark.parametrize(
    "text, names",
    [
        ('[2027]\nholidays = ["2027-02-30"]\n', ["[2027]", "holidays", "2027-02-30"]),
        ('[2027]\nholidays = ["1 Jan"]\n', ["[2027]", "holidays", "1 Jan"]),
        ("[2027]\nworkdays = [20270206]\n", ["[2027]", "workdays", "20270206"]),
        ('[2027]\nholidays = ["2026-10-01"]\n', ["[2027]", "holidays", "2026-10-01", "not in 2027"]),
        ('[2027]\nholidays = ["2027-02-06"]\nworkdays = ["2027-02-06"]\n', ["[2027]", "2027-02-06", "both"]),
        ('[2027]\nholiday = ["2027-01-01"]\n', ["[2027]", "holiday"]),
        ("[twenty27]\nholidays = []\n", ["twenty27"]),
        ('holidays = ["2027-01-01"]\n', ["holidays"]),
        ("[2027\n", ["not valid TOML"]),
    ],
)
def test_holiday_file_errors_name_the_file_year_and_entry(text, names):
    with pytest.raises(HolidayFileError) as info:
        parse_holidays(text, "/srv/hotline/holidays-2027.toml")
    message = str(info.value)
    assert message.startswith("/srv/hotline/holidays-2027.toml:"), message
    for part in names:
        assert part in message, message


@pytest.mark.rule("R22.1")
def test_holiday_file_accepts_toml_dates_and_strings(rules):
    years = parse_holidays('[2027]\nholidays = [2027-01-01, "2027-02-08"]\nworkdays = "2027-02-06"\n', "h.toml")
    assert years[2027].holidays == {date(2027, 1, 1), date(2027, 2, 8)}
    assert years[2027].workdays == {date(2027, 2, 6)}


# --- the clock running on a ticket --------------------------------------------------------------


@pytest.fixture
def clock(rules):
    return lambda ticket, now: running_clock(ticket, now, rules.clocks, rules.taxonomy)


@pytest.mark.rule("R20.2")
@pytest.mark.parametrize(
    "status, name, rule, start_field, due_day",
    [
        (S.REGISTERED, "acceptance", "R20.2", "registered_at", (2026, 11, 5)),
        (S.ACCEPTED, "dispatch", "R20.2", "accepted_at", (2026, 11, 4)),
        (S.RETURNED, "dispatch", "R28.1", "returned_at", (2026, 11, 4)),
        (S.DISPATCHED, "resolution", "R22.1", "dispatched_at", (2026, 11, 9)),
        (S.IN_PROGRESS, "resolution", "R22.1", "dispatched_at", (2026, 11, 9)),
        (S.EXTENSION_REQUESTED, "resolution", "R22.1", "dispatched_at", (2026, 11, 9)),
    ],
)
def test_running_clock_for_each_open_status(ticket_in, clock, status, name, rule, start_field, due_day):
    t = ticket_in(status)
    now = t.updated_at
    c = clock(t, now)
    assert (c.name, c.rule) == (name, rule)
    assert c.started_at == getattr(t, start_field)
    assert c.due.at == eod(*due_day) and not c.due.provisional
    assert c.remaining == c.due.at - now and not c.overdue and not c.paused
    late = clock(t, c.due.at + timedelta(seconds=1))
    assert late.overdue and late.remaining == timedelta(seconds=-1)


@pytest.mark.rule("R23.1")
@pytest.mark.parametrize(
    "status",
    [
        S.RESPONDED,
        S.AWAITING_CALLBACK,
        S.RATED,
        S.RATING_DISPUTED,
        S.RERATED,
        S.ANSWERED,
        S.REFUSED,
        S.ADVISED,
        S.ARCHIVED,
    ],
)
def test_no_clock_once_the_unit_has_answered_or_the_ticket_is_closed(ticket_in, clock, status):
    t = ticket_in(status)
    assert clock(t, t.updated_at + timedelta(days=100)) is None


@pytest.mark.rule("R22.2")
def test_extension_clock_after_approval(ticket_in, act, clock):
    t = act(ticket_in(S.EXTENSION_REQUESTED), "approve_extension", {}, role=Role.SUPERVISOR)
    c = clock(t, t.updated_at)
    assert (c.name, c.rule, c.started_at, c.due.at) == (
        "extension",
        "R22.2",
        t.extension.requested_at,
        t.extension.approved_due,
    )


@pytest.mark.rule("R22.1")
def test_clock_reaching_into_2027_is_provisional(registered, clock):
    t = registered(at=local(2026, 12, 30, 10))
    c = clock(t, t.registered_at)
    assert c.due.at == eod(2027, 1, 4) and c.due.provisional


@pytest.mark.rule("R27.1")
def test_recusal_pause_in_2027_makes_the_clock_provisional(rules, registered, act):
    t = registered(at=local(2026, 12, 21, 10))  # acceptance due 24 Dec 2026
    t = act(t, "recusal_request", {"reason": "相识"}, at=local(2026, 12, 22, 10))
    c = limit_clock(t, local(2027, 1, 5, 10), rules.clocks, rules.taxonomy)
    assert c.paused and c.due.provisional


@pytest.mark.rule("R27.1")
def test_an_undecided_recusal_request_is_overdue_after_three_working_days(rules, ticket_in, act):
    """Defect 3 of issue 12: a recusal request froze every clock for ever."""
    t = act(ticket_in(S.IN_PROGRESS), "recusal_request", {"reason": "相识"}, at=local(2026, 11, 3, 10))
    first = running_clock(t, local(2026, 11, 4, 10), rules.clocks, rules.taxonomy)
    assert (first.name, first.rule, first.due.at, first.overdue) == (
        "recusal_decision",
        "R27.1",
        eod(2026, 11, 6),
        False,
    )
    forty_days_on = running_clock(t, local(2026, 12, 13, 10), rules.clocks, rules.taxonomy)
    assert forty_days_on.name == "recusal_decision" and forty_days_on.overdue and not forty_days_on.paused
    # The ticket's own limit stands still meanwhile, and is not overdue.
    held = limit_clock(t, local(2026, 12, 13, 10), rules.clocks, rules.taxonomy)
    assert held.paused and not held.overdue


@pytest.mark.rule("R27.1")
def test_a_recusal_request_does_not_hide_a_limit_already_exceeded(rules, ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)  # due 2026-11-09
    t = act(t, "recusal_request", {"reason": "相识"}, at=local(2026, 11, 11, 10))
    c = running_clock(t, local(2026, 11, 12, 10), rules.clocks, rules.taxonomy)
    assert (c.name, c.due.at, c.overdue) == ("resolution", eod(2026, 11, 9), True)
