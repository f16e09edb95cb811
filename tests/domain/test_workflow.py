"""The transition table, rule by rule (REQUIREMENTS.md R9–R28).

Each test drives `Workflow.apply` through the conftest helpers (`registered`, `ticket_in`, `act`)
and, where the regulation forbids something, checks that the `RuleViolation` names the right rule.
The usual ticket: registered Monday 2026-11-02 09:00, accepted 10:00, dispatched 11:00 to the heat
group, received 12:00 — so its 5-working-day limit ends Monday 2026-11-09 at 23:59:59.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from operator_tui.domain.deadlines import limit_clock, recusal_clock, running_clock
from operator_tui.domain.errors import RuleViolation
from operator_tui.domain.model import Role, Status

S = Status
END = (23, 59, 59)
LEAD_UNIT = "heat_group"  # the lead unit `ticket_in` dispatches to
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # the conftest's default registration time


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def due(*ymd: int):
    return local(*ymd, *END)


@pytest.fixture
def clock(rules):
    def at(ticket, now):
        return running_clock(ticket, now, rules.clocks, rules.taxonomy)

    return at


def violation(rule: str, fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    assert info.value.rule == rule, f"expected {rule}, got {info.value.rule}: {info.value.message}"
    return info.value


# --- R18.1 / R19.1 registration -----------------------------------------------------------------


@pytest.mark.rule("R18.1")
def test_register_holds_every_field_of_the_ticket(registered):
    t = registered(vulnerable=["elderly"], address="铁东区站前街道1号")
    assert t.status is S.REGISTERED and t.version == 1
    assert t.appellant.name == "王先生" and t.appellant.phone == "13912345678"
    assert t.appellant.address == "铁东区站前街道1号" and t.appellant.kind == "person"
    assert (t.appeal_type, t.scope, t.matter, t.place, t.channel) == (
        "complaint",
        10,
        "heating_temperature",
        "tiedong.站前街道",
        "hotline_8890",
    )
    assert t.description.startswith("家里暖气不热")
    assert t.registered_at == T0 and t.operator == "op-1" and t.seat == "001"


@pytest.mark.rule("R19.1")
@pytest.mark.parametrize(
    "raw, stored",
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("+8613912345678", "13912345678"),
        ("0086 13912345678", "13912345678"),
        ("0412-2345678", "04122345678"),
        ("0412-23456789", "041223456789"),
        ("(0412)2345678", "04122345678"),
        ("2345678", "04122345678"),  # a local Anshan number
        ("010-12345678", "01012345678"),
        ("400-123-4567", "4001234567"),
    ],
)
def test_register_accepts_prc_phone_formats(registered, raw, stored):
    assert registered(phone=raw).appellant.phone == stored


@pytest.mark.rule("R19.1")
@pytest.mark.parametrize(
    "raw",
    ["12345", "1391234567", "139123456789", "23912345678", "+1 415 555 0100", "电话13912345678", "0412-123", "abc"],
)
def test_register_refuses_a_bad_phone_and_names_the_field(registered, raw):
    exc = violation("R19.1", registered, phone=raw)
    assert "phone" in exc.message


@pytest.mark.rule("R19.1")
@pytest.mark.parametrize(
    "field, value",
    [
        ("place", None),
        ("place", "mars"),
        ("appeal_type", None),
        ("appeal_type", "gossip"),
        ("description", None),
        ("description", "   "),
        ("matter", "unicorns"),
        ("phone", None),
        ("name", None),
        ("address", None),
        ("channel", "pigeon"),
        ("kind", "alien"),
        ("vulnerable", ["giant"]),
    ],
)
def test_register_refuses_missing_or_unknown_fields_naming_them(registered, field, value):
    exc = violation("R19.1", registered, **{field: value})
    assert exc.message.startswith(f"{field}:") or f"; {field}:" in exc.message


@pytest.mark.rule("R19.1")
def test_register_refuses_an_overlong_description(registered):
    exc = violation("R19.1", registered, description="很" * 4001)
    assert "description" in exc.message


@pytest.mark.rule("R18.1")
def test_register_needs_a_digits_only_number(registered):
    violation("R18.1", registered, number="26-11-02")


@pytest.mark.rule("R18.1")
def test_a_ticket_is_registered_once(rules, registered, event):
    t = registered()
    violation("R18.1", rules.workflow.apply, t, event("register", t.id, {}), T0)


@pytest.mark.rule("R18.1")
def test_an_event_needs_a_registered_ticket(rules, event):
    violation("R18.1", rules.workflow.apply, None, event("accept", "01NOSUCHTICKET"), T0)


@pytest.mark.rule("R19.1")
def test_register_cleans_terminal_escapes_from_caller_text(registered):
    t = registered(description="暖气不热\x1b]52;c;aGk=\x07\x1b[2J，请处理", name="王\u202e先生")
    assert t.description == "暖气不热，请处理"
    assert t.appellant.name == "王先生"


# --- R9.1 vulnerable groups ---------------------------------------------------------------------


@pytest.mark.rule("R9.1")
def test_vulnerable_appellant_raises_priority(registered):
    assert registered().priority == 0
    t = registered(vulnerable=["elderly", "disabled"])
    assert t.priority >= 1
    assert set(t.appellant.vulnerable) == {"elderly", "disabled"}


# --- R20.1 answer on the spot -------------------------------------------------------------------


@pytest.mark.rule("R20.1")
def test_answer_on_the_spot_closes_with_the_answer(registered, act):
    t = act(registered(), "answer_on_spot", {"answer": "供暖期为11月1日至次年3月31日。", "kb_article": "kb-12"})
    assert t.status is S.ANSWERED and t.closed and t.closed_at == t.updated_at
    assert t.answer.startswith("供暖期") and t.kb_article == "kb-12"


@pytest.mark.rule("R20.1")
def test_answer_on_the_spot_needs_an_answer(registered, act):
    violation("R20.1", act, registered(), "answer_on_spot", {"answer": "  "})


@pytest.mark.rule("R20.1")
def test_answer_on_the_spot_only_at_intake(ticket_in, act):
    violation("R20.1", act, ticket_in(S.ACCEPTED), "answer_on_spot", {"answer": "已解释"})


# --- R20.2 acceptance, refusal, dispatch --------------------------------------------------------


@pytest.mark.rule("R20.2")
def test_accept_then_dispatch(ticket_in, act):
    t = ticket_in(S.ACCEPTED)
    assert t.status is S.ACCEPTED and t.accepted_at == T0 + timedelta(hours=1)
    t = act(t, "dispatch", {"lead_unit": "heat_group", "co_units": ["city_housing", "gov_tiedong"]})
    assert t.status is S.DISPATCHED
    assert t.units == ("heat_group", "city_housing", "gov_tiedong")
    assert t.dispatched_at == T0 + timedelta(hours=2)


@pytest.mark.rule("R20.2")
def test_refusal_needs_a_reason(registered, act):
    violation("R20.2", act, registered(), "refuse", {})
    t = act(registered(), "refuse", {"reason": "诉求人要求查询个人隐私信息，不属于受理范围"})
    assert t.status is S.REFUSED and t.closed and t.refusal_reason.startswith("诉求人")


@pytest.mark.rule("R20.2")
def test_dispatch_needs_a_lead_unit(ticket_in, act):
    violation("R20.2", act, ticket_in(S.ACCEPTED), "dispatch", {"co_units": ["city_housing"]})


@pytest.mark.rule("R20.2")
def test_dispatch_needs_known_units(ticket_in, act):
    exc = violation(
        "R20.2", act, ticket_in(S.ACCEPTED), "dispatch", {"lead_unit": "heat_group", "co_units": ["no_such_unit"]}
    )
    assert "no_such_unit" in exc.message
    violation("R20.2", act, ticket_in(S.ACCEPTED), "dispatch", {"lead_unit": "ghost_bureau"})


@pytest.mark.rule("R20.2")
def test_dispatch_only_after_acceptance(registered, act):
    violation("R20.2", act, registered(), "dispatch", {"lead_unit": "heat_group"})


@pytest.mark.rule("R20.2")
def test_acceptance_and_dispatch_clocks(registered, act, clock):
    t = registered(at=local(2026, 9, 29, 10))  # Tuesday before National Day
    c = clock(t, t.registered_at)
    assert (c.name, c.rule, c.started_at) == ("acceptance", "R20.2", t.registered_at)
    assert c.due.at == due(2026, 10, 9)  # 30 Sep, then the National Day holiday, 8 and 9 Oct
    t = act(t, "accept", at=local(2026, 10, 8, 9))
    c = clock(t, t.accepted_at)
    assert (c.name, c.started_at) == ("dispatch", t.accepted_at)
    assert c.due.at == due(2026, 10, 10)  # 9 Oct (Fri), 10 Oct (the make-up Saturday)


# --- R20.3 emergency referrals ------------------------------------------------------------------


@pytest.mark.rule("R20.3")
def test_referral_is_recorded_and_raises_priority(registered, act):
    t = act(registered(), "referral", {"target": "119", "outcome": "transferred"}, actor="op-7")
    assert t.priority >= 2
    (r,) = t.referrals
    assert (r.target, r.outcome, r.actor) == ("119", "transferred", "op-7") and r.at == t.updated_at


@pytest.mark.rule("R20.3")
def test_false_alarm_needs_a_reason_and_keeps_priority(registered, act):
    violation("R20.3", act, registered(), "referral", {"target": "110", "outcome": "false_alarm"})
    t = act(registered(), "referral", {"target": "110", "outcome": "false_alarm", "reason": "来电人称是误报"})
    assert t.priority == 0 and t.referrals[0].reason == "来电人称是误报"


@pytest.mark.rule("R20.3")
@pytest.mark.parametrize(
    "payload", [{"target": "911", "outcome": "transferred"}, {"target": "120", "outcome": "ignored"}, {"target": "120"}]
)
def test_referral_target_and_outcome_are_checked(registered, act, payload):
    violation("R20.3", act, registered(), "referral", payload)


@pytest.mark.rule("R20.3")
def test_referral_possible_even_on_a_closed_ticket(ticket_in, act):
    t = act(ticket_in(S.ANSWERED), "referral", {"target": "120", "outcome": "told_to_dial"})
    assert t.status is S.ANSWERED and len(t.referrals) == 1


# --- R20.4 信访 ---------------------------------------------------------------------------------


@pytest.mark.rule("R20.4")
def test_petition_ticket_is_supervised_by_the_petition_department(rules, ticket_in, act):
    petition = rules.taxonomy.petition_unit
    t = act(ticket_in(S.ACCEPTED, matter="petition", scope=4), "dispatch", {"lead_unit": "gov_tiedong"})
    assert t.lead_unit == "gov_tiedong" and t.supervising_unit == petition
    assert petition not in t.units and petition in t.readers  # a supervisor, not a co-handling unit


@pytest.mark.rule("R20.4")
def test_a_complaint_about_a_petition_matter_gets_the_petition_department_whatever_its_scope(rules, ticket_in, act):
    """Defect 6 of issue 12: a 投诉 with the petition matter and scope 10 got no 信访 department,
    though the 60-day limit applied."""
    t = act(
        ticket_in(S.ACCEPTED, matter="petition", scope=10, appeal_type="complaint"),
        "dispatch",
        {"lead_unit": "gov_tiedong"},
    )
    assert t.scope == 10 and t.supervising_unit == rules.taxonomy.petition_unit


@pytest.mark.rule("R20.4")
def test_scope_4_goes_to_a_government_whatever_the_matter(rules, ticket_in, act):
    t = ticket_in(S.ACCEPTED, scope=4)  # heating matter, filed under 信访
    violation("R20.4", act, t, "dispatch", {"lead_unit": "heat_group", "co_units": []})
    t = act(t, "dispatch", {"lead_unit": "heat_group", "co_units": ["gov_tiedong"]})
    assert t.units == ("heat_group", "gov_tiedong") and t.supervising_unit == rules.taxonomy.petition_unit
    t = act(t, "set_units", {"lead_unit": "city_gov_office", "co_units": []})  # the city government
    assert t.units == ("city_gov_office",)
    violation("R20.4", act, t, "set_units", {"lead_unit": "city_housing", "co_units": []})


@pytest.mark.rule("R20.4")
def test_the_petition_department_does_not_lead_a_petition(rules, ticket_in, act):
    petition = rules.taxonomy.petition_unit
    t = ticket_in(S.ACCEPTED, matter="petition")
    violation("R20.4", act, t, "dispatch", {"lead_unit": petition, "co_units": ["gov_tiexi"]})
    t = act(t, "dispatch", {"lead_unit": "gov_tiexi", "co_units": [petition]})
    assert t.units == ("gov_tiexi",) and t.supervising_unit == petition


@pytest.mark.rule("R20.4")
def test_non_petition_ticket_does_not_get_the_petition_department(rules, ticket_in):
    assert rules.taxonomy.petition_unit not in ticket_in(S.DISPATCHED).units


# --- R20.5 / R20.6 advice on the proper channel -------------------------------------------------


@pytest.mark.rule("R20.5")
@pytest.mark.parametrize("channel", ["review", "litigation", "arbitration"])
def test_advise_channel_records_what_was_said(registered, act, channel):
    t = act(registered(), "advise_channel", {"channel": channel, "text": "已告知依法申请的途径和期限。"})
    assert t.status is S.ADVISED and t.closed and t.advice_channel == channel
    assert t.answer == "已告知依法申请的途径和期限。"


@pytest.mark.rule("R20.5")
def test_advise_channel_needs_a_known_channel_and_the_words(registered, act):
    violation("R20.5", act, registered(), "advise_channel", {"channel": "newspaper", "text": "x"})
    violation("R20.5", act, registered(), "advise_channel", {"channel": "review"})


@pytest.mark.rule("R20.6")
def test_real_name_report_of_officials_goes_to_12388(registered, act):
    violation("R20.6", act, registered(), "advise_channel", {"channel": "discipline_12388"})
    t = act(registered(), "advise_channel", {"channel": "discipline_12388", "text": "请通过12388向纪委监委举报。"})
    assert t.status is S.ADVISED and t.advice_channel == "discipline_12388"


# --- R21.1 feedback -----------------------------------------------------------------------------


@pytest.mark.rule("R21.1")
def test_respond_needs_the_appellant_told(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    violation("R21.1", act, t, "respond", {"result": "已维修"})
    violation("R21.1", act, t, "respond", {"result": "已维修", "told_appellant": "yes"})
    violation("R21.1", act, t, "respond", {"told_appellant": True})
    done = act(t, "respond", {"result": "已维修", "told_appellant": True})
    assert done.status is S.RESPONDED and done.result == "已维修" and done.responded_at == done.updated_at


@pytest.mark.rule("R21.1")
def test_respond_comes_from_the_lead_unit(ticket_in, act):
    t = act(ticket_in(S.IN_PROGRESS), "set_units", {"lead_unit": LEAD_UNIT, "co_units": ["city_housing"]})
    violation("R24.2", act, t, "respond", {"unit": "city_housing", "result": "已维修", "told_appellant": True})
    violation("R21.1", act, t, "respond", {"unit": None, "result": "已维修", "told_appellant": True}, role=Role.UNIT)


@pytest.mark.rule("R21.1")
def test_respond_possible_while_an_extension_is_pending(ticket_in, act):
    t = act(ticket_in(S.EXTENSION_REQUESTED), "respond", {"result": "已维修", "told_appellant": True})
    assert t.status is S.RESPONDED


# --- R22.1 resolution limit ---------------------------------------------------------------------


@pytest.mark.rule("R22.1")
def test_resolution_due_five_working_days_from_dispatch(ticket_in, clock):
    t = ticket_in(S.IN_PROGRESS)
    c = clock(t, t.received_at)
    assert (c.name, c.rule, c.started_at) == ("resolution", "R22.1", t.dispatched_at)
    assert c.due.at == due(2026, 11, 9) and not c.due.provisional and not c.overdue


@pytest.mark.rule("R22.1")
def test_resolution_clock_runs_from_dispatch_until_the_unit_signs(ticket_in, act, clock):
    t = ticket_in(S.DISPATCHED)
    c = clock(t, t.dispatched_at + timedelta(days=8))
    assert c.started_at == t.dispatched_at and c.due.at == due(2026, 11, 9)
    assert c.overdue, "not signing must not stop the clock"
    signed = act(t, "receive", at=local(2026, 11, 4, 9))
    c = clock(signed, signed.received_at)
    assert c.started_at == signed.dispatched_at and c.due.at == due(2026, 11, 9)


@pytest.mark.rule("R22.1")
@pytest.mark.rule("R22.2")
def test_a_late_signature_does_not_wipe_out_the_lateness(registered, act, clock, extension_request):
    """Defect 1 of issue 12: dispatched Mon 2026-11-02, unsigned on 11-12, signed then."""
    t = act(
        act(registered(), "accept"), "dispatch", {"lead_unit": LEAD_UNIT, "co_units": []}, at=local(2026, 11, 2, 11)
    )
    assert clock(t, local(2026, 11, 12, 9)).overdue
    t = act(t, "receive", at=local(2026, 11, 12, 10))
    c = clock(t, local(2026, 11, 12, 11))
    assert c.due.at == due(2026, 11, 9) and c.overdue
    violation(
        "R22.2", act, t, "request_extension", extension_request(t, local(2026, 11, 13, 9)), at=local(2026, 11, 13, 9)
    )


@pytest.mark.rule("R22.2")
def test_an_extension_does_not_outlive_its_unit(registered, act, clock):
    """Defect 2 of issue 12: unit A's extension became unit B's limit and blocked B's own request."""
    t = act(
        act(registered(), "accept"), "dispatch", {"lead_unit": LEAD_UNIT, "co_units": []}, at=local(2026, 11, 2, 11)
    )
    t = act(t, "receive", at=local(2026, 11, 2, 12))
    ask = {"reason": "需协调", "progress": "已勘查", "measures": "约谈", "new_due": due(2026, 11, 20).isoformat()}
    t = act(t, "request_extension", ask, at=local(2026, 11, 5, 9))
    t = act(t, "approve_extension", {}, role=Role.SUPERVISOR, at=local(2026, 11, 5, 10))
    t = act(t, "return_to_centre", {"reason": "不属于本单位职责"}, at=local(2026, 11, 19, 9))
    t = act(t, "dispatch", {"lead_unit": "city_housing", "co_units": []}, at=local(2026, 11, 19, 10))
    t = act(t, "receive", {"unit": "city_housing"}, role=Role.UNIT, at=local(2026, 11, 19, 11))
    c = clock(t, local(2026, 11, 19, 12))
    assert (c.name, c.due.at) == ("resolution", due(2026, 11, 26)) and t.extension is None
    b_asks = {**ask, "unit": "city_housing", "new_due": due(2026, 12, 10).isoformat()}
    assert (
        act(t, "request_extension", b_asks, role=Role.UNIT, at=local(2026, 11, 20, 9)).status is S.EXTENSION_REQUESTED
    )


@pytest.mark.rule("R22.1")
def test_government_information_has_its_own_limit(ticket_in, clock):
    t = ticket_in(S.IN_PROGRESS, matter="gov_information", scope=1)
    assert clock(t, t.received_at).due.at == due(2026, 11, 30)  # 20 working days


@pytest.mark.rule("R22.1")
def test_petition_has_a_sixty_calendar_day_limit(ticket_in, act, clock):
    t = act(ticket_in(S.ACCEPTED, matter="petition"), "dispatch", {"lead_unit": "gov_tiedong"})
    t = act(t, "receive", {"unit": "gov_tiedong"}, role=Role.UNIT, at=t.dispatched_at + timedelta(hours=1))
    assert clock(t, t.received_at).due.at == due(2027, 1, 1)
    assert not clock(t, t.received_at).due.provisional  # calendar days need no holiday data


@pytest.mark.rule("R22.1")
def test_clock_remaining_and_overdue(ticket_in, clock):
    t = ticket_in(S.IN_PROGRESS)
    before = clock(t, local(2026, 11, 9, 23, 0))
    assert before.remaining == timedelta(minutes=59, seconds=59) and not before.overdue
    after = clock(t, local(2026, 11, 10, 0, 0))
    assert after.overdue and after.remaining == timedelta(seconds=-1)


# --- R22.2 extensions ---------------------------------------------------------------------------


@pytest.mark.rule("R22.2")
def test_extension_request_records_reason_progress_measures_and_limit(extension_request, ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    at = local(2026, 11, 5, 10)
    t = act(t, "request_extension", extension_request(t, at, days=14), at=at)
    assert t.status is S.EXTENSION_REQUESTED
    ext = t.extension
    assert (ext.unit, ext.reason, ext.progress, ext.measures) == (
        LEAD_UNIT,
        "需协调多个部门",
        "已现场查看",
        "联系施工单位整改",
    )
    assert ext.requested_due == due(2026, 11, 23) and ext.approved is None


@pytest.mark.rule("R22.2")
@pytest.mark.parametrize("missing", ["reason", "progress", "measures", "new_due"])
def test_extension_request_needs_every_part(extension_request, ticket_in, act, missing):
    t = ticket_in(S.IN_PROGRESS)
    payload = extension_request(t, local(2026, 11, 5, 10))
    del payload[missing]
    violation("R22.2", act, t, "request_extension", payload, at=local(2026, 11, 5, 10))


@pytest.mark.rule("R22.2")
def test_extension_only_within_the_limit(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    payload = {"reason": "r", "progress": "p", "measures": "m", "new_due": due(2026, 12, 1).isoformat()}
    act(t, "request_extension", payload, at=local(2026, 11, 9, 23, 59))
    violation("R22.2", act, t, "request_extension", payload, at=local(2026, 11, 10, 0, 1))


@pytest.mark.rule("R22.2")
def test_extension_new_limit_later_than_the_current_one(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    base = {"reason": "r", "progress": "p", "measures": "m"}
    violation("R22.2", act, t, "request_extension", {**base, "new_due": due(2026, 11, 9).isoformat()})
    violation("R22.2", act, t, "request_extension", {**base, "new_due": due(2026, 11, 6).isoformat()})
    violation("R22.2", act, t, "request_extension", {**base, "new_due": "2026-11-20T12:00:00"})  # no zone
    violation("R22.2", act, t, "request_extension", {**base, "new_due": "next week"})


@pytest.mark.rule("R22.2")
def test_extension_at_most_two_months_past_the_current_limit(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)  # due 2026-11-09: the cap is 2027-01-09
    base = {"reason": "r", "progress": "p", "measures": "m"}
    assert act(t, "request_extension", {**base, "new_due": due(2027, 1, 9).isoformat()}).extension
    violation("R22.2", act, t, "request_extension", {**base, "new_due": local(2027, 1, 10, 0, 0, 1).isoformat()})


@pytest.mark.rule("R22.2")
def test_approved_extension_replaces_the_limit(rules, ticket_in, act, clock):
    t = ticket_in(S.EXTENSION_REQUESTED)
    asked = t.extension.requested_due
    t = act(t, "approve_extension", {}, role=Role.SUPERVISOR)
    assert t.status is S.IN_PROGRESS and t.extension.approved and t.extension.approved_due == asked
    c = clock(t, t.updated_at)
    assert (c.name, c.rule, c.due.at) == ("extension", "R22.2", asked)
    assert not clock(t, local(2026, 11, 12)).overdue  # past the old limit, inside the new one


@pytest.mark.rule("R22.2")
def test_approval_may_set_its_own_limit_within_the_cap(ticket_in, act, clock):
    t = ticket_in(S.EXTENSION_REQUESTED)
    t2 = act(t, "approve_extension", {"due": due(2026, 11, 20).isoformat()}, role=Role.ADMIN)
    assert clock(t2, t2.updated_at).due.at == due(2026, 11, 20)
    violation("R22.2", act, t, "approve_extension", {"due": due(2027, 2, 1).isoformat()}, role=Role.SUPERVISOR)


@pytest.mark.rule("R22.2")
def test_approval_cannot_shorten_the_limit(ticket_in, act):
    violation(
        "R22.2",
        act,
        ticket_in(S.EXTENSION_REQUESTED),
        "approve_extension",
        {"due": due(2026, 11, 6).isoformat()},
        role=Role.SUPERVISOR,
    )


@pytest.mark.rule("R22.2")
def test_denied_extension_keeps_the_limit(ticket_in, act, clock):
    t = ticket_in(S.EXTENSION_REQUESTED)
    violation("R22.2", act, t, "deny_extension", {}, role=Role.SUPERVISOR)
    t = act(t, "deny_extension", {"reason": "理由不充分"}, role=Role.SUPERVISOR)
    assert t.status is S.IN_PROGRESS and t.extension.approved is False
    c = clock(t, t.updated_at)
    assert (c.name, c.due.at) == ("resolution", due(2026, 11, 9))


@pytest.mark.rule("R22.2")
def test_only_supervisors_decide_extensions(ticket_in, act):
    t = ticket_in(S.EXTENSION_REQUESTED)
    violation("R22.2", act, t, "approve_extension", {}, role=Role.OPERATOR)
    violation("R22.2", act, t, "approve_extension", {}, role=Role.UNIT)
    violation("R22.2", act, t, "deny_extension", {"reason": "x"}, role=Role.OPERATOR)


@pytest.mark.rule("R22.2")
def test_one_extension_only(extension_request, ticket_in, act):
    t = act(ticket_in(S.EXTENSION_REQUESTED), "approve_extension", {}, role=Role.SUPERVISOR)
    violation("R22.2", act, t, "request_extension", extension_request(t, t.updated_at, days=3))


# --- R23.1 review -------------------------------------------------------------------------------


@pytest.mark.rule("R23.1")
def test_review_pass_leads_to_callback(ticket_in, act):
    assert act(ticket_in(S.RESPONDED), "review_pass", role=Role.SUPERVISOR).status is S.AWAITING_CALLBACK


@pytest.mark.rule("R23.1")
def test_review_return_restarts_the_clock(ticket_in, act, clock):
    t = ticket_in(S.RESPONDED)
    violation("R23.1", act, t, "review_return", {})
    violation("R23.1", act, t, "review_return", {"reason": "未解决"}, role=Role.OPERATOR)
    back = act(t, "review_return", {"reason": "诉求人反映暖气仍不热"}, at=local(2026, 11, 12, 10))
    assert back.status is S.IN_PROGRESS and back.rework_count == 1 and back.rework_at == local(2026, 11, 12, 10)
    c = clock(back, back.rework_at)
    assert (c.rule, c.started_at, c.due.at) == ("R23.1", back.rework_at, due(2026, 11, 19))
    assert not c.overdue, "the old limit (2026-11-09) no longer applies"


@pytest.mark.rule("R23.1")
def test_extension_approved_during_rework_applies(ticket_in, act, clock):
    t = act(ticket_in(S.RESPONDED), "review_return", {"reason": "未解决"}, at=local(2026, 11, 12, 10))
    ask = {"reason": "r", "progress": "p", "measures": "m", "new_due": due(2026, 12, 4).isoformat()}
    t = act(t, "request_extension", ask, at=local(2026, 11, 13, 10))
    t = act(t, "approve_extension", {}, role=Role.SUPERVISOR, at=local(2026, 11, 13, 15))
    c = clock(t, t.updated_at)
    assert (c.name, c.due.at) == ("extension", due(2026, 12, 4))


# --- R23.2 callback and rating ------------------------------------------------------------------


@pytest.mark.rule("R23.2")
def test_callback_records_the_four_ratings_and_the_words(ticket_in):
    t = ticket_in(S.RATED)
    assert (t.rating.timeliness, t.rating.result, t.rating.attitude, t.rating.overall) == (5, 4, 5, 5)
    assert t.rating.words == "满意" and t.callbacks[-1].reached


@pytest.mark.rule("R23.2")
@pytest.mark.parametrize(
    "ratings",
    [
        {"timeliness": 0, "result": 4, "attitude": 5, "overall": 5},
        {"timeliness": 5, "result": 6, "attitude": 5, "overall": 5},
        {"timeliness": 5, "result": 4, "attitude": 5},
        {"timeliness": "很好", "result": 4, "attitude": 5, "overall": 5},
        None,
        "5 stars",
    ],
)
def test_callback_ratings_are_one_to_five_on_each_indicator(ticket_in, act, ratings):
    violation("R23.2", act, ticket_in(S.AWAITING_CALLBACK), "callback", {"ratings": ratings})


@pytest.mark.rule("R23.2")
@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5])
def test_every_star_value_is_accepted(ticket_in, act, stars):
    t = act(
        ticket_in(S.AWAITING_CALLBACK),
        "callback",
        {"ratings": {"timeliness": stars, "result": stars, "attitude": stars, "overall": stars}},
    )
    assert t.rating.overall == stars


@pytest.mark.rule("R23.2")
def test_failed_callback_keeps_the_status(ticket_in, act):
    t = ticket_in(S.AWAITING_CALLBACK)
    t = act(t, "callback_failed", {"note": "无人接听", "retry_at": local(2026, 11, 4, 15).isoformat()})
    assert t.status is S.AWAITING_CALLBACK and t.rating is None
    assert not t.callbacks[-1].reached and t.callbacks[-1].retry_at == local(2026, 11, 4, 15)
    violation("R23.2", act, t, "callback_failed", {"retry_at": "tomorrow"})


# --- R23.3 rating disputes ----------------------------------------------------------------------


@pytest.mark.rule("R23.3")
def test_dispute_rerate_confirm_archive(ticket_in, act):
    t = ticket_in(S.RATED)
    violation("R23.3", act, t, "dispute_rating", {})
    t = act(t, "dispute_rating", {"reason": "已按时办结，差评与事实不符"})
    assert t.status is S.RATING_DISPUTED and t.rating_dispute.startswith("已按时")
    old = t.rating
    t = act(t, "rerate", {"ratings": {"timeliness": 5, "result": 5, "attitude": 5, "overall": 5}}, role=Role.SUPERVISOR)
    assert t.status is S.RERATED and t.rating.result == 5 and t.rating_history == (old,)
    violation("R23.3", act, t, "confirm_rating", role=Role.SUPERVISOR)
    t = act(t, "confirm_rating", role=Role.ADMIN)
    assert t.status is S.RATED and t.rating_final
    violation("R23.3", act, t, "dispute_rating", {"reason": "再次异议"})
    t = act(t, "archive", role=Role.SUPERVISOR)
    assert t.status is S.ARCHIVED and t.closed and t.closed_at == t.updated_at


@pytest.mark.rule("R23.3")
def test_only_the_centre_rerates(ticket_in, act):
    violation(
        "R23.3",
        act,
        ticket_in(S.RATING_DISPUTED),
        "rerate",
        {"ratings": {"timeliness": 5, "result": 5, "attitude": 5, "overall": 5}},
        role=Role.UNIT,
    )


@pytest.mark.rule("R23.1")
def test_archive_only_after_a_rating(ticket_in, act):
    violation("R23.1", act, ticket_in(S.AWAITING_CALLBACK), "archive", role=Role.SUPERVISOR)
    assert act(ticket_in(S.RATED), "archive", role=Role.SYSTEM).status is S.ARCHIVED


# --- R23.4 credit file --------------------------------------------------------------------------


@pytest.mark.rule("R23.4")
def test_credit_mark_needs_evidence(ticket_in, act):
    t = ticket_in(S.ANSWERED)
    violation("R23.4", act, t, "credit_mark", {"kind": "false_report"}, role=Role.SUPERVISOR)
    violation("R23.4", act, t, "credit_mark", {"kind": "rude", "evidence": "录音"}, role=Role.SUPERVISOR)
    violation("R23.4", act, t, "credit_mark", {"kind": "harassment", "evidence": "录音"}, role=Role.OPERATOR)
    t = act(
        t, "credit_mark", {"kind": "harassment", "evidence": "录音 2026-11-02 09:12，辱骂接线员"}, role=Role.SUPERVISOR
    )
    assert t.credit_marks[-1].kind == "harassment" and "录音" in t.credit_marks[-1].evidence


# --- R24.1 coordination ladder, R24.2 units -----------------------------------------------------


@pytest.mark.rule("R24.1")
def test_coordination_ladder_stops_at_level_three(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    violation("R24.1", act, t, "escalate", {}, role=Role.SUPERVISOR)
    for level in (1, 2, 3):
        t = act(t, "escalate", {"note": "多部门协调未果"}, role=Role.SUPERVISOR)
        assert t.coordination_level == level
    violation("R24.1", act, t, "escalate", {"note": "再提级"}, role=Role.ADMIN)


@pytest.mark.rule("R24.1")
def test_escalation_needs_an_accepted_ticket(registered, act):
    violation("R24.1", act, registered(), "escalate", {"note": "x"}, role=Role.SUPERVISOR)


@pytest.mark.rule("R24.2")
def test_set_units_names_one_lead_and_co_units(ticket_in, act):
    t = act(
        ticket_in(S.IN_PROGRESS),
        "set_units",
        {"lead_unit": "city_housing", "co_units": ["heat_group", "city_housing", "heat_group"]},
    )
    assert t.lead_unit == "city_housing" and t.co_units == ("heat_group",)
    violation("R24.2", act, t, "set_units", {"lead_unit": "city_housing", "co_units": ["nowhere"]})
    violation("R24.2", act, t, "set_units", {"lead_unit": "city_housing", "co_units": "heat_group"})
    violation("R24.2", act, t, "set_units", {"co_units": ["heat_group"]})
    violation("R24.2", act, t, "set_units", {"lead_unit": "city_housing"}, role=Role.OPERATOR)


# --- R25.1 supervision --------------------------------------------------------------------------


@pytest.mark.rule("R25.1")
def test_supervision_climbs_one_level_at_a_time(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    levels = []
    for ground in (1, 3, 5, 2):
        t = act(t, "supervise", {"ground": ground, "note": "督办"}, role=Role.SUPERVISOR)
        levels.append(t.supervisions[-1].level)
    assert levels == [1, 2, 3, 3] and t.supervision_level == 3


@pytest.mark.rule("R25.1")
@pytest.mark.parametrize("ground, ok", [(1, True), (2, True), (4, True), (3, False), (5, False)])
def test_the_system_raises_only_grounds_1_2_4(ticket_in, act, ground, ok):
    t = ticket_in(S.IN_PROGRESS)
    if ok:
        assert act(t, "supervise", {"ground": ground}, role=Role.SYSTEM).supervisions[-1].ground == ground
    else:
        violation("R25.1", act, t, "supervise", {"ground": ground}, role=Role.SYSTEM)
        assert act(t, "supervise", {"ground": ground}, role=Role.SUPERVISOR).supervisions


@pytest.mark.rule("R25.1")
@pytest.mark.parametrize("ground", [0, 6, "1", None])
def test_supervision_ground_is_one_to_five(ticket_in, act, ground):
    violation("R25.1", act, ticket_in(S.IN_PROGRESS), "supervise", {"ground": ground}, role=Role.SUPERVISOR)


@pytest.mark.rule("R25.1")
def test_operators_do_not_supervise(ticket_in, act):
    violation("R25.1", act, ticket_in(S.IN_PROGRESS), "supervise", {"ground": 5}, role=Role.OPERATOR)


# --- R27.1 recusal ------------------------------------------------------------------------------


@pytest.mark.rule("R27.1")
def test_recusal_pause_shifts_the_due_by_the_working_days_paused(rules, ticket_in, act, clock):
    t = ticket_in(S.IN_PROGRESS)  # due 2026-11-09
    t = act(t, "recusal_request", {"reason": "承办人与诉求人系亲属"}, at=local(2026, 11, 3, 10))
    assert t.paused
    open_clock = limit_clock(t, local(2026, 11, 5, 10), rules.clocks, rules.taxonomy)
    assert open_clock.paused and open_clock.due.at == due(2026, 11, 11)  # 4 and 5 Nov stand still
    # ... while the decision's own limit (6 Nov) ends first, so it is the clock shown (R27.1)
    assert (clock(t, local(2026, 11, 5, 10)).name, clock(t, local(2026, 11, 5, 10)).due.at) == (
        "recusal_decision",
        due(2026, 11, 6),
    )
    decision = recusal_clock(t, local(2026, 11, 3, 10), rules.clocks)
    assert (decision.rule, decision.due.at) == ("R27.1", due(2026, 11, 6))
    t = act(
        t,
        "recusal_decision",
        {"granted": True, "reply": "同意回避，已更换承办人。"},
        role=Role.SUPERVISOR,
        at=local(2026, 11, 5, 10),
    )
    assert not t.paused and t.pauses[-1].granted is True
    c = clock(t, local(2026, 11, 10, 12))
    assert c.due.at == due(2026, 11, 11) and not c.paused and not c.overdue
    assert recusal_clock(t, t.updated_at, rules.clocks) is None


@pytest.mark.rule("R27.1")
def test_recusal_decision_is_written_and_decides_an_open_request(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    violation("R27.1", act, t, "recusal_decision", {"granted": True, "reply": "x"}, role=Role.SUPERVISOR)
    violation("R27.1", act, t, "recusal_request", {})
    t = act(t, "recusal_request", {"reason": "亲属关系"})
    violation("R27.1", act, t, "recusal_request", {"reason": "再次申请"})
    violation("R27.1", act, t, "recusal_decision", {"granted": True}, role=Role.SUPERVISOR)
    violation("R27.1", act, t, "recusal_decision", {"granted": "yes", "reply": "x"}, role=Role.SUPERVISOR)
    violation("R27.1", act, t, "recusal_decision", {"granted": False, "reply": "x"}, role=Role.OPERATOR)
    t = act(
        t, "recusal_decision", {"granted": False, "reply": "经核实不存在利害关系，不予回避。"}, role=Role.SUPERVISOR
    )
    assert t.pauses[-1].granted is False and t.pauses[-1].ended_at == t.updated_at


@pytest.mark.rule("R27.1")
def test_recusal_pause_also_stops_the_acceptance_clock(registered, act, clock):
    t = registered()  # acceptance due 2026-11-05
    t = act(t, "recusal_request", {"reason": "接线员与诉求人相识"}, at=local(2026, 11, 2, 10))
    t = act(t, "recusal_decision", {"granted": True, "reply": "同意"}, role=Role.SUPERVISOR, at=local(2026, 11, 4, 10))
    assert clock(t, t.updated_at).due.at == due(2026, 11, 9)  # 3 and 4 Nov paused: 5 Nov → 9 Nov (weekend)


# --- R28.1 returns ------------------------------------------------------------------------------


@pytest.mark.rule("R28.1")
def test_return_to_centre_with_reason_then_redispatch(ticket_in, act, clock):
    t = ticket_in(S.IN_PROGRESS)
    violation("R28.1", act, t, "return_to_centre", {})
    t = act(t, "return_to_centre", {"reason": "该小区供暖由物业自管，不属本单位"}, at=local(2026, 11, 3, 9))
    assert t.status is S.RETURNED and t.return_reasons == ("该小区供暖由物业自管，不属本单位",)
    c = clock(t, t.returned_at)
    assert (c.name, c.rule, c.due.at) == ("dispatch", "R28.1", due(2026, 11, 5))
    t = act(t, "dispatch", {"lead_unit": "city_housing"}, at=local(2026, 11, 3, 14))
    assert t.status is S.DISPATCHED and t.lead_unit == "city_housing" and t.received_at is None
    violation("R26.1", act, t, "receive", {"unit": LEAD_UNIT}, role=Role.UNIT)
    assert act(t, "receive", {"unit": "city_housing"}, role=Role.UNIT).status is S.IN_PROGRESS


@pytest.mark.rule("R28.1")
def test_return_possible_before_signing(ticket_in, act):
    assert act(ticket_in(S.DISPATCHED), "return_to_centre", {"reason": "非本单位职责"}).status is S.RETURNED


# --- R13.1 repeated calls -----------------------------------------------------------------------


@pytest.mark.rule("R13.1")
def test_link_call_attaches_a_repeat_call(ticket_in, act):
    t = act(ticket_in(S.IN_PROGRESS), "link_call", {"call_id": "call-42"})
    t = act(t, "link_call", {"call_id": "call-43"})
    assert t.linked_calls == ("call-42", "call-43") and t.status is S.IN_PROGRESS
    violation("R13.1", act, t, "link_call", {})
    violation("R13.1", act, ticket_in(S.ARCHIVED), "link_call", {"call_id": "call-44"})


# --- R10.2 explanation demands ------------------------------------------------------------------


@pytest.mark.rule("R10.2")
def test_overdue_explanation_only_when_overdue_then_the_unit_answers(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    violation("R10.2", act, t, "demand_explanation", {"reason": "overdue"}, at=local(2026, 11, 9, 20))
    t = act(t, "demand_explanation", {"reason": "overdue", "text": "为何超期未办"}, at=local(2026, 11, 10, 9))
    demand = t.explanation_demands[-1]
    assert demand.reason == "overdue" and not demand.answer
    violation("R10.2", act, t, "answer_explanation", {"demand_id": demand.event_id}, role=Role.UNIT)
    violation("R10.2", act, t, "answer_explanation", {"demand_id": "nope", "answer": "x"}, role=Role.UNIT)
    violation(
        "R26.1",
        act,
        t,
        "answer_explanation",
        {"unit": "city_housing", "demand_id": demand.event_id, "answer": "x"},
        role=Role.UNIT,
    )
    t = act(t, "answer_explanation", {"demand_id": demand.event_id, "answer": "材料短缺，已调货"}, role=Role.UNIT)
    assert (
        t.explanation_demands[-1].answer == "材料短缺，已调货" and t.explanation_demands[-1].answered_at == t.updated_at
    )
    violation("R10.2", act, t, "answer_explanation", {"demand_id": demand.event_id, "answer": "again"}, role=Role.UNIT)


@pytest.mark.rule("R10.2")
def test_dispute_explanation_and_bad_reasons(ticket_in, registered, act):
    t = act(ticket_in(S.RATED), "demand_explanation", {"reason": "dispute", "text": "问题并未解决"})
    assert t.explanation_demands[-1].reason == "dispute"
    violation("R10.2", act, t, "demand_explanation", {"reason": "curious"})
    violation("R10.2", act, registered(), "demand_explanation", {"reason": "dispute"})


# --- R26.1 / R18.2 roles and the event log ------------------------------------------------------


@pytest.mark.rule("R26.1")
def test_a_unit_cannot_act_on_a_ticket_it_does_not_hold(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    for kind, payload in [
        ("respond", {"result": "x", "told_appellant": True}),
        ("add_note", {"text": "x"}),
        ("return_to_centre", {"reason": "x"}),
    ]:
        violation("R26.1", act, t, kind, {**payload, "unit": "city_market"}, role=Role.UNIT)
    violation("R26.1", act, ticket_in(S.DISPATCHED), "receive", {"unit": "water_group"}, role=Role.UNIT)


@pytest.mark.rule("R26.1")
def test_a_co_unit_may_add_notes(ticket_in, act):
    t = act(ticket_in(S.IN_PROGRESS), "set_units", {"lead_unit": LEAD_UNIT, "co_units": ["gov_tiedong"]})
    t = act(t, "add_note", {"unit": "gov_tiedong", "text": "街道已配合入户"}, role=Role.UNIT)
    assert t.notes[-1].text == "街道已配合入户"


@pytest.mark.rule("R18.2")
def test_unknown_event_kind_names_r18_2(rules, registered, event):
    t = registered()
    violation("R18.2", rules.workflow.apply, t, event("teleport", t.id, {}, Role.ADMIN), T0)


@pytest.mark.rule("R18.2")
def test_an_event_applies_only_to_its_own_ticket(rules, registered, event):
    t = registered()
    violation("R18.2", rules.workflow.apply, t, event("accept", "01OTHERTICKET", {}, Role.OPERATOR), T0)


@pytest.mark.rule("R18.2")
def test_every_event_bumps_the_version_and_keeps_the_last_time(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    assert t.version == 4
    later = act(t, "add_note", {"text": "补充"})
    assert later.version == 5 and later.updated_at == t.updated_at + timedelta(hours=1)
    earlier = act(later, "add_note", {"text": "补录"}, at=t.updated_at - timedelta(hours=5))
    assert earlier.version == 6 and earlier.updated_at == later.updated_at  # never goes back


@pytest.mark.rule("R18.2")
def test_apply_never_changes_the_ticket_it_was_given(ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    snapshot = t.model_dump()
    act(t, "respond", {"result": "已维修", "told_appellant": True})
    assert t.model_dump() == snapshot


@pytest.mark.rule("R18.2")
@pytest.mark.parametrize("status", [S.ANSWERED, S.REFUSED, S.ADVISED, S.ARCHIVED])
def test_closed_tickets_refuse_handling_events(ticket_in, act, status):
    t = ticket_in(status)
    for kind, payload, role in [
        ("accept", {}, Role.OPERATOR),
        ("dispatch", {"lead_unit": LEAD_UNIT}, Role.OPERATOR),
        ("supervise", {"ground": 5}, Role.SUPERVISOR),
        ("escalate", {"note": "x"}, Role.SUPERVISOR),
        ("recusal_request", {"reason": "x"}, Role.OPERATOR),
    ]:
        with pytest.raises(RuleViolation):
            act(t, kind, payload, role=role)
    assert act(t, "add_note", {"text": "来电询问进度"}).notes


@pytest.mark.rule("R28.1")
def test_a_return_records_which_unit_said_not_ours(ticket_in, act):
    t = ticket_in("in_progress")
    t = act(t, "return_to_centre", {"unit": t.lead_unit, "reason": "不属于本单位职责"})
    assert t.returned_by == (t.lead_unit,) and t.return_reasons == ("不属于本单位职责",)
