"""The rules REQUIREMENTS.md gained in wave 2 (issue 12), in the domain: R5.1, R11.1, R20.7, R26.2,
R28.2, R33.2; and the defects of issue 12 that are not clocks: R20.4 routing is in
tests/domain/test_workflow.py, R22.2 telling the appellant and R25.1 (2) repeated calls are here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from operator_tui.domain.deadlines import running_clock
from operator_tui.domain.errors import RuleViolation
from operator_tui.domain.model import Role, Status
from operator_tui.domain.repeats import repeated_calls_mark
from operator_tui.payloads import PayloadInvalid, check

S = Status
TZ = ZoneInfo("Asia/Shanghai")


def local(*a: int) -> datetime:
    return datetime(*a, tzinfo=TZ)


def refused(rule: str, fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    assert info.value.rule == rule, f"expected {rule}, got {info.value.rule}: {info.value.message}"
    return info.value


# --- R20.7 written channels keep their submission time ----------------------------------------


@pytest.mark.rule("R20.7")
def test_a_written_appeal_counts_acceptance_from_its_submission(rules, registered):
    # Submitted on 民心网 Friday 30 Oct evening, opened by an operator Monday 2 Nov.
    t = registered(at=local(2026, 11, 2, 9), channel="minxin", submitted_at="2026-10-30T20:00:00+08:00")
    assert t.submitted_at == local(2026, 10, 30, 20)
    c = running_clock(t, local(2026, 11, 2, 9), rules.clocks, rules.taxonomy)
    assert (c.name, c.started_at, c.due.at) == ("acceptance", local(2026, 10, 30, 20), local(2026, 11, 4, 23, 59, 59))


@pytest.mark.rule("R20.7")
def test_submission_time_only_for_written_channels_and_never_after_registration(registered):
    refused("R20.7", registered, channel="hotline_8890", submitted_at="2026-11-02T08:00:00+08:00")
    refused("R20.7", registered, at=local(2026, 11, 2, 9), channel="web_app", submitted_at="2026-11-03T08:00:00+08:00")
    refused("R20.7", registered, channel="web_app", submitted_at="2026-11-02T08:00:00")  # no time zone


# --- R5.1 levels and references, R28.2 transfers in ------------------------------------------


@pytest.mark.rule("R5.1")
def test_the_level_holding_a_ticket_and_its_workstation(registered, act):
    t = registered()
    assert (t.level, t.workstation) == ("city", None)
    t = act(t, "set_level", {"level": "district", "workstation": "tiedong"}, role=Role.SUPERVISOR)
    assert (t.level, t.workstation) == ("district", "tiedong")
    t = act(t, "set_level", {"level": "street", "workstation": "tiedong"}, role=Role.SUPERVISOR)
    assert t.level == "street"
    refused("R5.1", act, t, "set_level", {"level": "district"}, role=Role.SUPERVISOR)
    refused("R5.1", act, t, "set_level", {"level": "province"}, role=Role.SUPERVISOR)
    refused("R5.1", act, t, "set_level", {"level": "district", "workstation": "tiedong.站前街道"}, role=Role.SUPERVISOR)
    refused("R5.1", act, t, "set_level", {"level": "city"}, role=Role.OPERATOR)


@pytest.mark.rule("R5.1")
@pytest.mark.rule("R28.2")
def test_a_transfer_keeps_its_source_and_reference(registered, act):
    t = registered(channel="linkage_110", external_refs=[{"source": "linkage_110", "number": "110-20261102-0042"}])
    assert [(r.source, r.number) for r in t.external_refs] == [("linkage_110", "110-20261102-0042")]
    t = act(t, "add_reference", {"source": "provincial_8890", "number": "LN8890-2026-778"})
    assert len(t.external_refs) == 2
    refused("R28.2", act, t, "add_reference", {"source": "hotline_8890", "number": "x1"})  # not a transfer channel
    refused("R28.2", act, t, "add_reference", {"source": "minxin", "number": "有空格 1"})
    refused("R5.1", registered, external_refs=[{"source": "walk_in", "number": "A1"}])


# --- R26.2 the party complained about; R27.1 recusal checked against it ------------------------

COMPLAINT_ABOUT_HEAT = [{"kind": "unit", "unit": "heat_group"}, {"kind": "other", "name": "某物业公司"}]


@pytest.mark.rule("R26.2")
def test_the_party_complained_about_is_recorded(registered, act):
    t = registered(respondents=COMPLAINT_ABOUT_HEAT)
    assert t.respondent_units == ("heat_group",) and t.respondents[1].name == "某物业公司"
    refused("R26.2", registered, respondents=[{"kind": "unit", "unit": "nobody"}])
    refused("R26.2", registered, respondents=[{"kind": "other"}])
    refused("R26.2", registered, respondents=[{"kind": "alien"}])
    t = act(t, "set_respondents", {"respondents": [{"kind": "unit", "unit": "city_housing"}]})
    assert t.respondent_units == ("city_housing",)


@pytest.mark.rule("R26.2")
@pytest.mark.rule("R27.1")
def test_recusal_grounds_name_a_recorded_party_and_unit_staff_may_recuse(ticket_in, act):
    t = act(ticket_in(S.IN_PROGRESS), "set_respondents", {"respondents": COMPLAINT_ABOUT_HEAT})
    t = act(t, "set_units", {"lead_unit": "heat_group", "co_units": ["city_housing"]}, role=Role.SUPERVISOR)
    refused("R26.2", act, t, "recusal_request", {"reason": "亲属", "related_to": "隔壁老王"})
    # a co-unit's staff member recuses: they must say which party they are related to
    refused("R26.2", act, t, "recusal_request", {"reason": "亲属", "unit": "city_housing"}, role=Role.UNIT)
    r = act(
        t,
        "recusal_request",
        {"reason": "承办人系该物业公司股东", "related_to": "某物业公司", "staff": "F-017", "unit": "city_housing"},
        role=Role.UNIT,
    )
    assert r.paused and (r.pauses[-1].related_to, r.pauses[-1].unit, r.pauses[-1].staff) == (
        "某物业公司",
        "city_housing",
        "F-017",
    )
    # the appellant's own request through the centre may name the appellant side or none
    assert act(t, "recusal_request", {"reason": "诉求人申请", "related_to": "appellant"}).paused
    # a unit that does not hold the ticket cannot
    refused(
        "R26.1",
        act,
        t,
        "recusal_request",
        {"reason": "x", "related_to": "appellant", "unit": "water_group"},
        role=Role.UNIT,
    )


# --- R11.1 complaints about the centre and its staff --------------------------------------------

ABOUT_OPERATOR = [{"kind": "staff", "staff": "op-7"}]


@pytest.mark.rule("R11.1")
def test_a_complaint_about_an_operator_goes_to_the_office_and_not_to_them(rules, registered, act):
    t = registered(appeal_type="complaint", respondents=ABOUT_OPERATOR)
    assert t.about_centre and t.named_staff == ("op-7",)
    t = act(t, "accept")
    refused("R11.1", act, t, "dispatch", {"lead_unit": "heat_group"})
    office = rules.taxonomy.office_unit
    assert office == "masses_work_office"
    t = act(t, "dispatch", {"lead_unit": office})
    assert t.lead_unit == office
    # the operator it names may not handle it in any way
    refused("R11.1", act, t, "add_note", {"text": "我没有那样说"}, actor="op-7")
    assert act(t, "add_note", {"text": "已调取录音"}, actor="op-8").notes
    refused("R11.1", registered, respondents=[{"kind": "staff"}])


@pytest.mark.rule("R11.1")
def test_a_complaint_about_the_centre_itself_is_routed_to_the_office(rules, registered, act):
    t = act(registered(respondents=[{"kind": "centre"}]), "accept")
    assert t.about_centre and t.named_staff == ()
    refused("R11.1", act, t, "dispatch", {"lead_unit": "city_housing"})
    assert act(t, "dispatch", {"lead_unit": "masses_work_office"}).status is S.DISPATCHED


# --- R33.2 secrets ------------------------------------------------------------------------------


@pytest.mark.rule("R33.2")
def test_a_ticket_can_be_marked_as_holding_secrets(registered, act):
    t = registered(secrecy=["commercial"])
    assert t.secrecy == ("commercial",)
    t = act(t, "mark_secret", {"secrecy": ["state"], "reason": "涉及军工企业"}, role=Role.SUPERVISOR)
    assert t.secrecy == ("commercial", "state")
    refused("R33.2", act, t, "mark_secret", {"secrecy": ["state"], "reason": "x"}, role=Role.OPERATOR)
    refused("R33.2", act, t, "mark_secret", {"secrecy": ["top"], "reason": "x"}, role=Role.SUPERVISOR)
    refused("R33.2", act, t, "mark_secret", {"secrecy": ["state"]}, role=Role.SUPERVISOR)


# --- R22.2 the appellant is told (defect 9) ----------------------------------------------------


@pytest.mark.rule("R22.2")
def test_telling_the_appellant_of_an_extension_is_recorded(ticket_in, act):
    t = ticket_in(S.EXTENSION_REQUESTED)
    refused("R22.2", act, t, "tell_extension", {})  # nothing decided yet
    told = act(t, "approve_extension", {"told_appellant": True}, role=Role.SUPERVISOR)
    assert told.extension.told_at == told.updated_at
    refused("R22.2", act, told, "tell_extension", {})  # already told
    later = act(t, "approve_extension", {}, role=Role.SUPERVISOR)
    assert later.extension.told_at is None
    later = act(later, "tell_extension", {"note": "已电话告知诉求人延期至月底"})
    assert later.extension.told_at == later.updated_at
    denied = act(t, "deny_extension", {"reason": "理由不足", "told_appellant": True}, role=Role.SUPERVISOR)
    assert denied.extension.told_at is not None


# --- R25.1 (2) repeated calls by one appellant (defect 8) --------------------------------------


@pytest.mark.rule("R25.1")
def test_repeated_calls_about_one_open_matter_call_for_supervision(rules, ticket_in, act):
    t = ticket_in(S.IN_PROGRESS)
    assert repeated_calls_mark(t, rules.policy) is None
    t = act(t, "link_call", {"call_id": "c1"})
    assert repeated_calls_mark(t, rules.policy) is None
    t = act(t, "link_call", {"call_id": "c2"})
    assert repeated_calls_mark(t, rules.policy) == "calls:1"
    t = act(act(t, "link_call", {"call_id": "c3"}), "link_call", {"call_id": "c4"})
    assert repeated_calls_mark(t, rules.policy) == "calls:2"  # the next pile climbs one more level
    answered = act(t, "respond", {"result": "已处理", "told_appellant": True})
    assert repeated_calls_mark(answered, rules.policy) is None


# --- the wire: every new key has its schema -----------------------------------------------------


@pytest.mark.rule("R5.1")
@pytest.mark.rule("R26.2")
@pytest.mark.rule("R33.2")
@pytest.mark.parametrize(
    "kind,payload",
    [
        ("set_level", {"level": "district", "workstation": "tiedong"}),
        ("add_reference", {"source": "minxin", "number": "MX-1"}),
        (
            "set_respondents",
            {"respondents": [{"kind": "unit", "unit": "heat_group"}, {"kind": "staff", "staff": "op-7"}]},
        ),
        ("mark_secret", {"secrecy": ["commercial"], "reason": "商业秘密"}),
        ("tell_extension", {"note": "已告知"}),
        ("approve_extension", {"told_appellant": True}),
        ("deny_extension", {"reason": "r", "told_appellant": True}),
        ("recusal_request", {"reason": "r", "related_to": "appellant", "staff": "F-1", "unit": "heat_group"}),
    ],
)
def test_new_payload_keys_fit_their_schemas(kind, payload):
    check(kind, payload)


@pytest.mark.rule("R20.7")
def test_register_carries_the_new_keys_and_refuses_strangers(form):
    body = {
        **form(),
        "number": "26110200120001",
        "submitted_at": "2026-11-02T08:00:00+08:00",
        "level": "city",
        "external_refs": [{"source": "minxin", "number": "MX-1"}],
        "respondents": [{"kind": "centre"}],
        "secrecy": ["state"],
    }
    check("register", body)
    with pytest.raises(PayloadInvalid, match="external_refs.0.url"):
        check("register", {**body, "external_refs": [{"source": "minxin", "number": "MX-1", "url": "x"}]})
