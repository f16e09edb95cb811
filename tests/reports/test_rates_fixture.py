"""The rates (R35.1) against a hand-computed fixture, on both engines.

Every ticket below is pushed and acted on through the real server (seat pushes, the action API of
the units and the supervisors), at times the test sets, and the projection's rate columns do the
rest. The expected numerators and denominators are counted by hand, one comment per ticket.

Calendar: November 2026 has no holidays; 11-02, 11-09, 11-16, 11-23, 11-30 are Mondays. Limits
(policy.toml): resolution 5 working days from dispatch (R22.1), rework 5 from the return (R23.1),
response (签收) 1 working day from dispatch ([rates] response_limit), each ending at 23:59:59 of the
last day. Ratings: 已解决 from 4 stars of 办理结果, 满意 from 4 stars overall ([rates]).
"""

from __future__ import annotations

import pytest

from operator_tui.domain.periods import parse_period
from server_stub.reports.rates import compute_rates

A, B = "city_housing", "heat_group"
RESULT = {"result": "已派人处理，并告知诉求人。", "told_appellant": True}


def stars(result: int, overall: int) -> dict:
    return {"ratings": {"timeliness": 4, "result": result, "attitude": 4, "overall": overall}}


class Story:
    """One ticket's life, each step at its own local time."""

    def __init__(self, api, at: str, lead: str | None, *, seat2: bool = False, **form) -> None:
        self.api = api
        api.at(at)
        who, seat = ("seat2", "013") if seat2 else ("seat", "012")
        self.id, self.number = api.ticket(lead=lead, who=who, seat=seat, **form)

    def do(self, at: str, who: str, kind: str, payload: dict | None = None) -> Story:
        self.api.at(at)
        r = self.api.act(who, self.number, kind, payload or {})
        assert r.status_code == 200, (kind, r.text)
        return self

    def handled(self, dispatched_to: str, received: str, responded: str) -> Story:
        who = "unit" if dispatched_to == A else "unit2"
        return self.do(received, who, "receive").do(responded, who, "respond", RESULT)

    def rated(self, reviewed: str, called: str, result: int, overall: int) -> Story:
        return self.do(reviewed, "supervisor", "review_pass").do(
            called, "supervisor", "callback", stars(result, overall)
        )


def build(api) -> None:
    # A1: signed 4 h after dispatch (response met), responded 11-05 before the limit 11-09 (on time),
    #     rated 5/5 on 11-06: resolved and satisfied.
    Story(api, "2026-11-02 10:00", A).handled(A, "2026-11-02 14:00", "2026-11-05 10:00").rated(
        "2026-11-05 15:00", "2026-11-06 10:00", 5, 5
    )
    # A2: signed 11-04, after the response limit 11-03 (not met); responded 11-10, after the limit
    #     11-09 (late); rated on 11-11 result 3 (not resolved), overall 4 (satisfied).
    Story(api, "2026-11-02 10:00", A).handled(A, "2026-11-04 09:00", "2026-11-10 10:00").rated(
        "2026-11-10 15:00", "2026-11-11 10:00", 3, 4
    )
    # A3: R22.2, an extension to 11-20 approved on 11-04; responded 11-18: late against the first
    #     limit, on time against the approved one, which is what counts. Signed in time. Not rated.
    s = Story(api, "2026-11-02 10:00", A).do("2026-11-02 11:00", "unit", "receive")
    s.do(
        "2026-11-04 10:00",
        "unit",
        "request_extension",
        {
            "reason": "需协调多个部门",
            "progress": "已现场查看",
            "measures": "联系施工单位整改",
            "new_due": "2026-11-20T23:59:59+08:00",
        },
    )
    s.do("2026-11-04 15:00", "supervisor", "approve_extension").do("2026-11-18 10:00", "unit", "respond", RESULT)
    # A4: R27.1, a recusal request 11-03 decided 11-06 holds the clock for 11-04..11-06 (3 working
    #     days): the limit moves from 11-09 to 11-12, so the response on 11-11 is on time. Signed in time.
    s = Story(api, "2026-11-02 10:00", A).do("2026-11-02 11:00", "unit", "receive")
    s.do("2026-11-03 10:00", "supervisor", "recusal_request", {"reason": "诉求人申请承办人回避"})
    s.do("2026-11-06 10:00", "supervisor", "recusal_decision", {"granted": True, "reply": "同意回避，另行指派承办人"})
    s.do("2026-11-11 10:00", "unit", "respond", RESULT)
    # A5: on time and signed in time; rated 1/1 on 11-06, then disputed by the unit (R23.3) and not
    #     yet re-rated: the rating is under review, so it counts in neither 解决率 nor 满意率.
    Story(api, "2026-11-02 10:00", A).handled(A, "2026-11-02 11:00", "2026-11-05 10:00").rated(
        "2026-11-05 15:00", "2026-11-06 10:00", 1, 1
    ).do("2026-11-07 10:00", "unit", "dispute_rating", {"reason": "诉求人所述与事实不符"})
    # A6: as A5, but re-rated 2/2 and confirmed by the office: counted, on the callback's day 11-06,
    #     with the final rating (not resolved, not satisfied).
    Story(api, "2026-11-02 10:00", A).handled(A, "2026-11-02 11:00", "2026-11-05 10:00").rated(
        "2026-11-05 15:00", "2026-11-06 10:00", 1, 1
    ).do("2026-11-07 10:00", "unit", "dispute_rating", {"reason": "诉求人所述与事实不符"}).do(
        "2026-11-08 10:00", "supervisor", "rerate", stars(2, 2)
    ).do("2026-11-08 11:00", "admin", "confirm_rating")
    # A7: dispatched on Friday 11-20 and never signed for: counted in 响应率, not met. Nothing else.
    Story(api, "2026-11-20 10:00", A)
    # A8: the previous period (October): dispatched 10-20, signed 11:00, responded 10-22, rated 5/5
    #     on 10-23: 1/1 in all four rates for October.
    Story(api, "2026-10-20 10:00", A).handled(A, "2026-10-20 11:00", "2026-10-22 10:00").rated(
        "2026-10-22 15:00", "2026-10-23 10:00", 5, 5
    )
    # A9: R23.1, responded 11-03, returned for rework 11-04 (a fresh 5 days: due 11-11), responded
    #     again 11-12: late. Signed in time.
    Story(api, "2026-11-02 10:00", A).handled(A, "2026-11-02 11:00", "2026-11-03 10:00").do(
        "2026-11-03 15:00", "supervisor", "review_return", {"reason": "未说明整改结果"}
    ).do("2026-11-12 10:00", "unit", "respond", RESULT)
    # B1 (seat 013, 铁西区): signed and responded in time; rated 11-09 result 4 (resolved), overall 3
    #     (not satisfied).
    Story(api, "2026-11-02 10:00", B, seat2=True, place="tiexi.永乐街道").handled(
        B, "2026-11-02 11:00", "2026-11-06 10:00"
    ).rated("2026-11-06 15:00", "2026-11-09 10:00", 4, 3)
    # B2 (seat 013, 铁西区): dispatched Monday 11-30, signed the same day: response met; nothing else yet.
    Story(api, "2026-11-30 10:00", B, seat2=True, place="tiexi.永乐街道").do("2026-11-30 11:00", "unit2", "receive")
    # B3: dispatched Friday 10-30 (October), signed Monday 11-02, within 1 working day: October's
    #     响应率 1/1 for B. Responded 11-03, before the limit 11-06: on time in November.
    Story(api, "2026-10-30 10:00", B).handled(B, "2026-11-02 09:00", "2026-11-03 10:00")
    # B4→A: R28.1, dispatched to B 11-02 and returned by B the same day; re-dispatched to A 11-03,
    #     signed 11:00 and responded 11-04: A's ticket, response met and on time. Nothing for B.
    s = Story(api, "2026-11-02 10:00", B).do(
        "2026-11-02 11:00", "unit2", "return_to_centre", {"reason": "不属于本单位职责"}
    )
    s.do("2026-11-03 10:00", "supervisor", "dispatch", {"lead_unit": A, "co_units": []})
    s.handled(A, "2026-11-03 11:00", "2026-11-04 10:00")
    # Closed at intake (R20.1, R20.2, R20.5): excluded by the policy from every rate.
    Story(api, "2026-11-02 10:00", None).do("2026-11-02 10:05", "supervisor", "refuse", {"reason": "不属于受理范围"})
    Story(api, "2026-11-02 10:00", None).do(
        "2026-11-02 10:05",
        "supervisor",
        "advise_channel",
        {"channel": "litigation", "text": "已告知可向人民法院起诉。"},
    )
    Story(api, "2026-11-02 10:00", None).do(
        "2026-11-02 10:05", "supervisor", "answer_on_spot", {"answer": "按政策解释，诉求人表示理解。"}
    )
    # Accepted, never dispatched: in no rate.
    Story(api, "2026-11-02 10:00", None).do("2026-11-02 10:05", "supervisor", "accept")


def counts(line) -> dict[str, tuple[int, int]]:
    return {r: (f.numerator, f.denominator) for r, f in line.figures.items()}


@pytest.mark.rule("R35.1")
def test_rates_by_unit_agree_with_the_hand_count(reports_api, rules):
    build(reports_api)
    report = compute_rates(reports_api.storage, rules, parse_period("2026-11"), "unit")
    assert [ln.key for ln in report.lines] == [B, A]  # B ranks first on 按时办结率
    a, b = report.line(A), report.line(B)
    # on time: A1 A3 A4 A5 A6 B4 met; A2 A9 late → 6/8. response: A1 A3 A4 A5 A6 A9 B4 met; A2 A7
    # not → 7/9. rated: A1 (res, sat), A2 (sat), A6 (neither); A5 under review → 1/3 and 2/3.
    assert counts(a) == {"on_time": (6, 8), "response": (7, 9), "resolution": (1, 3), "satisfaction": (2, 3)}
    # on time: B1, B3 → 2/2. response: B1, B2 (B3 dispatched in October, B4 now A's) → 2/2.
    # rated: B1 resolved, not satisfied → 1/1, 0/1.
    assert counts(b) == {"on_time": (2, 2), "response": (2, 2), "resolution": (1, 1), "satisfaction": (0, 1)}
    assert a.on_time.value == pytest.approx(0.75)
    assert (b.on_time.rank, a.on_time.rank) == (1, 2)
    assert (a.satisfaction.rank, b.satisfaction.rank) == (1, 2)
    # Against October (A8 for A: 1/1 everywhere; B3 for B: response 1/1).
    assert a.on_time.change == pytest.approx(-25.0)
    assert a.response.change == pytest.approx(7 / 9 * 100 - 100)
    assert a.resolution.change == pytest.approx(1 / 3 * 100 - 100)
    assert b.response.change == pytest.approx(0.0)
    assert b.on_time.change is None and b.on_time.previous is None  # nothing counted for B in October
    assert counts(report.total) == {
        "on_time": (8, 10),
        "response": (9, 11),
        "resolution": (2, 4),
        "satisfaction": (2, 4),
    }


@pytest.mark.rule("R35.1")
def test_rates_by_district_operator_and_all_agree_with_the_hand_count(reports_api, rules):
    build(reports_api)
    period = parse_period("2026-11")
    # Only B1 and B2 are in 铁西区; every other ticket in 铁东区 (the form's place).
    district = compute_rates(reports_api.storage, rules, period, "district")
    assert counts(district.line("tiexi")) == {
        "on_time": (1, 1),
        "response": (2, 2),
        "resolution": (1, 1),
        "satisfaction": (0, 1),
    }
    assert counts(district.line("tiedong")) == {
        "on_time": (7, 9),
        "response": (7, 9),
        "resolution": (1, 3),
        "satisfaction": (2, 3),
    }
    assert district.line("tiexi").name == "铁西区"
    # Seat 013 registered B1 and B2; seat 012 everything else (the operator is the token's person).
    operator = compute_rates(reports_api.storage, rules, period, "operator")
    assert counts(operator.line("坐席013")) == counts(district.line("tiexi"))
    assert counts(operator.line("坐席012")) == counts(district.line("tiedong"))
    everything = compute_rates(reports_api.storage, rules, period, "all")
    assert [ln.key for ln in everything.lines] == ["all"]
    assert counts(everything.lines[0]) == {
        "on_time": (8, 10),
        "response": (9, 11),
        "resolution": (2, 4),
        "satisfaction": (2, 4),
    }
    # October: A8 and B3 (response only).
    october = compute_rates(reports_api.storage, rules, parse_period("2026-10"), "all")
    assert counts(october.lines[0]) == {
        "on_time": (1, 1),
        "response": (2, 2),
        "resolution": (1, 1),
        "satisfaction": (1, 1),
    }
