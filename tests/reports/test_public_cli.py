"""`hotline report case propose|list|approve|reject` on the server database (R37.1)."""

from __future__ import annotations

import pytest
from public_support import pub_fixture  # noqa: F401  (the fixture `pub`)


@pytest.mark.rule("R37.1")
def test_propose_list_approve_from_the_command_line_reach_the_page(pub, cli, server_db):
    db = str(server_db)
    number = pub.ticket(
        description="我叫王建国，电话13912345678，小区门口垃圾三天没清运。", name="王建国", phone="13912345678"
    )
    pub.page()  # cached now: the CLI's approval must still show
    r = cli("report", "case", "propose", number, "--by", "值班长", "--db", db, "--json")
    assert r.code == 0, r.err
    case = r.json()
    assert "王建国" not in case["text"] and "13912345678" not in case["text"] and "垃圾" in case["text"]
    r = cli("report", "case", "list", "--status", "proposed", "--db", db)
    assert r.code == 0 and case["id"] in r.out and "13912345678" not in r.out
    r = cli("report", "case", "approve", case["id"], "--by", "值班长", "--db", db)
    assert r.code == 2 and len(r.err_lines) == 1 and "另一位" in r.err  # not the proposer
    r = cli("report", "case", "approve", case["id"], "--by", "审核人", "--db", db)
    assert r.code == 0, r.err
    assert "垃圾三天没清运" in pub.page()


@pytest.mark.rule("R37.1")
def test_reject_needs_a_reason_and_bad_input_is_one_line_exit_2(pub, cli, server_db):
    db = str(server_db)
    number = pub.ticket(description="路灯不亮。")
    case = cli("report", "case", "propose", number, "--by", "值班长", "--db", db, "--json").json()
    r = cli("report", "case", "reject", case["id"], "--by", "审核人", "--reason", " ", "--db", db)
    assert r.code == 2 and len(r.err_lines) == 1 and "理由" in r.err
    assert cli("report", "case", "reject", case["id"], "--by", "审核人", "--reason", "不典型", "--db", db).code == 0
    for args in (("approve", "NOPE", "--by", "x"), ("list", "--status", "done"), ("propose", "000", "--by", "x")):
        r = cli("report", "case", *args, "--db", db)
        assert r.code == 2 and len(r.err_lines) == 1, (args, r.err)
    assert "路灯不亮" not in pub.page()
