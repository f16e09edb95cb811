"""Typical cases (R37.1) and the public page (R17.1) through the server's API, on both engines."""

from __future__ import annotations

import re

import pytest
from public_support import PERIOD, pub_fixture  # noqa: F401  (the fixture `pub`)

DESCRIPTION = "我叫王建国，电话13912345678，住幸福小区1号楼2单元301，邻居李大山家车牌辽C12345堵了消防通道。"


@pytest.mark.rule("R37.1")
def test_a_proposed_case_shows_its_redacted_text_and_stays_off_the_page_until_approved(pub):
    number = pub.ticket(
        description=DESCRIPTION, name="王建国", phone="13912345678", address="铁东区站前街道幸福小区1号楼2单元301"
    )
    r = pub.propose(number)
    assert r.status_code == 201, r.text
    case = r.json()
    for secret in ("王建国", "13912345678", "幸福小区", "301", "李大山", "12345"):
        assert secret not in case["redacted"]
    assert "消防通道" in case["redacted"] and case["status"] == "proposed"
    listed = pub.client.get("/v1/public/cases", headers=pub.headers("supervisor")).json()
    assert [c["id"] for c in listed] == [case["id"]] and listed[0]["redacted"] == case["redacted"]
    assert "消防通道" not in pub.page()

    r = pub.approve(case["id"])
    assert r.status_code == 200 and r.json()["status"] == "approved"
    page = pub.page()
    assert "消防通道" in page and "王建国" not in page and "13912345678" not in page
    assert r.json()["decided_by"] and r.json()["proposed_by"]
    audit = pub.client.get("/v1/audit", headers=pub.headers("admin")).json()
    assert {"public_case_proposed", "public_case_approved"} <= {a["purpose"] for a in audit}


@pytest.mark.rule("R37.1")
def test_a_rejected_case_is_not_published_and_needs_a_reason(pub):
    number = pub.ticket(description="楼道灯坏了很久没人修。")
    case = pub.propose(number).json()
    assert pub.reject(case["id"], " ").status_code == 422
    r = pub.reject(case["id"], "案例不典型")
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["reason"] == "案例不典型"
    assert "楼道灯" not in pub.page()
    assert pub.approve(case["id"]).status_code == 409  # decided once


@pytest.mark.rule("R37.1")
def test_the_reviewer_may_publish_an_edit_but_not_one_that_brings_the_caller_back(pub):
    number = pub.ticket(description="暖气不热，我是王建国。", name="王建国", phone="13912345678")
    case = pub.propose(number).json()
    r = pub.approve(case["id"], text="市民反映 王 建 国 家暖气不热。")
    assert r.status_code == 422 and "个人信息" in r.json()["detail"]
    r = pub.approve(case["id"], text="市民反映家中暖气不热，热力公司当日修复。")
    assert r.status_code == 200 and r.json()["edited"] is True
    assert "热力公司当日修复" in pub.page()


@pytest.mark.rule("R37.1")
def test_the_proposer_cannot_approve_their_own_case_but_may_withdraw_it(pub):
    number = pub.ticket(description="小区门口路灯坏了，夜里看不清路。")
    case = pub.propose(number, who="supervisor").json()
    r = pub.approve(case["id"], who="supervisor")
    assert r.status_code == 409 and "另一位" in r.json()["detail"]
    assert "路灯" not in pub.page()
    assert pub.approve(case["id"], who="admin").status_code == 200
    assert "路灯" in pub.page()
    # Withdrawing is the proposer's own call: a rejection by them is allowed.
    other = pub.propose(pub.ticket(description="楼道堆放杂物，物业不清理。"), who="admin").json()
    r = pub.reject(other["id"], "提名有误，撤回", who="admin")
    assert r.status_code == 200 and r.json()["decided_by"] == r.json()["proposed_by"]


@pytest.mark.rule("R26.1")
@pytest.mark.parametrize("appeal_type", ["complaint", "whistleblow"])
def test_a_complaint_or_report_cannot_be_proposed(pub, appeal_type):
    r = pub.propose(pub.ticket(appeal_type=appeal_type))
    assert r.status_code == 409 and "保密" in r.json()["detail"]


@pytest.mark.rule("R33.2")
def test_a_ticket_marked_secret_cannot_be_proposed(pub):
    r = pub.propose(pub.ticket(secrecy=["commercial"]))
    assert r.status_code == 409 and "秘密" in r.json()["detail"]


@pytest.mark.rule("R37.1")
def test_only_supervisors_and_admins_review_and_the_page_needs_no_token(pub):
    number = pub.ticket()
    assert pub.propose(number, who="seat").status_code == 403
    assert pub.propose(number, who="unit").status_code == 403
    assert pub.client.post("/v1/public/cases", json={"number": number}).status_code == 401
    assert pub.propose("999999999999").status_code == 404
    case = pub.propose(number, who="admin").json()
    assert pub.propose(number).status_code == 409  # once per ticket
    assert pub.approve(case["id"], who="seat").status_code == 403
    assert pub.client.get("/public").status_code == 200


@pytest.mark.rule("R17.1")
def test_the_page_counts_the_periods_tickets_and_is_rebuilt_when_events_arrive(pub):
    pub.ticket()
    pub.ticket(dispatch=False)
    page = pub.page()
    received = re.search(r"<td>受理诉求总数</td><td class=n>(\d+)</td>", page)
    assert received and received.group(1) == "2"
    assert re.search(r"<td>转办承办单位</td><td class=n>1</td>", page)
    pub.ticket()
    # cached: new events show once the copy is [public] refresh_seconds old (a busy centre's bound)
    assert re.search(r"<td>受理诉求总数</td><td class=n>2</td>", pub.page())
    pub.clock.advance(seconds=60)
    assert re.search(r"<td>受理诉求总数</td><td class=n>3</td>", pub.page())
    assert re.search(r"<td>受理诉求总数</td><td class=n>0</td>", pub.page("2026-10"))


@pytest.mark.rule("R17.1")
def test_the_page_shows_the_three_rates_from_the_rates_engine(pub):
    from operator_tui.domain.periods import parse_period
    from server_stub.reports.rates import compute_rates

    pub.ticket()
    rates = pub.page().split('id="rates-table"')[1].split("</table>")[0]
    total = compute_rates(pub.storage, pub.client.app.state.rules, parse_period(PERIOD), by="all").total
    for name in ("按时办结率", "解决率", "满意率"):
        assert f"<td>{name}</td>" in rates
    on_time = total.figures["on_time"]
    assert f"<td>按时办结率</td><td class=n>{on_time.numerator}</td><td class=n>{on_time.denominator}</td>" in rates


@pytest.mark.rule("R37.1")
def test_a_hot_issue_needs_the_policys_minimum_of_tickets(pub):
    for _ in range(2):
        pub.ticket(matter="heating_temperature", place="tiedong.站前街道")
    assert "供暖温度不达标" not in pub.page().split('id="hot"')[1]
    pub.ticket(matter="heating_temperature", place="tiedong.站前街道")
    pub.clock.advance(seconds=60)
    hot = pub.page().split('id="hot"')[1]
    assert "供暖温度不达标" in hot and "铁东区站前街道" in hot


@pytest.mark.rule("R17.1")
@pytest.mark.parametrize("period, status", [("2026-13", 400), ("next month", 400), ("2027-01", 400), ("2026-W45", 200)])
def test_a_bad_period_is_a_clear_400(pub, period, status):
    r = pub.client.get("/public", params={"period": period})
    assert r.status_code == status
    if status == 400:
        assert r.json()["detail"].startswith("period:")
