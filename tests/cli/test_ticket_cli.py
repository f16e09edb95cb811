"""The `hotline` command, run in-process through the `cli` fixture (R10.1, R18.1, R19.1, R22.1)."""

from __future__ import annotations

import json

import pytest
import typer

from operator_tui.store import tickets
from operator_tui.store.db import Store

ADD = [
    "ticket",
    "add",
    "--name",
    "张先生",
    "--phone",
    "13912345678",
    "--address",
    "铁东区站前街道3号楼",
    "--type",
    "complaint",
    "--matter",
    "heating_temperature",
    "--place",
    "tiedong.站前街道",
    "--description",
    "暖气不热，室温15度",
]


def with_option(args: list[str], option: str, value: str | None) -> list[str]:
    """`args` with `option`'s value replaced (or the option removed when value is None)."""
    out = list(args)
    i = out.index(option)
    if value is None:
        del out[i : i + 2]
    else:
        out[i + 1] = value
    return out


def ticket_count(cli) -> int:
    if not cli.db_path.exists():
        return -1
    with Store(cli.db_path).connect() as db:
        return tickets.count(db)


@pytest.fixture
def seat(cli):
    """A seat database created with `hotline db init`."""
    result = cli("db", "init")
    assert result.code == 0, result.err
    return cli


# --- ticket add / list / show -------------------------------------------------------------------


@pytest.mark.rule("R18.1")
def test_ticket_add_prints_the_number(seat):
    result = seat(*ADD)
    assert result.code == 0, result.err
    number = result.out.strip()
    assert number.isdigit() and len(number) == 13 and number[6:9] == "001"
    assert result.err == "" and ticket_count(seat) == 1


@pytest.mark.rule("R18.1")
def test_ticket_add_accepts_names_for_codes(seat):
    args = with_option(
        with_option(with_option(ADD, "--type", "投诉"), "--place", "铁东区"), "--matter", "供暖温度不达标"
    )
    result = seat(*args, "--vulnerable", "老年人", "--json")
    assert result.code == 0, result.err
    t = result.json()
    assert (t["appeal_type"], t["place"], t["matter"]) == ("complaint", "tiedong", "heating_temperature")
    assert t["appellant"]["vulnerable"] == ["elderly"] and t["priority"] >= 1  # R9.1
    assert t["clock"]["name"] == "acceptance"


@pytest.mark.rule("R18.1")
def test_ticket_add_from_a_json_file(seat, tmp_path):
    form = {
        "appellant": {"name": "李女士", "phone": "0412-2345678", "address": "立山区友好街道", "kind": "person"},
        "appeal_type": "help",
        "matter": "water_outage",
        "place": "lishan.友好街道",
        "description": "小区停水一天了",
        "channel": "gov_12345",
    }
    path = tmp_path / "ticket.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    result = seat("ticket", "add", "--json-file", str(path))
    assert result.code == 0, result.err
    number = result.out.strip()
    shown = seat("ticket", "show", number, "--json").json()
    assert shown["appellant"]["phone"] == "04122345678" and shown["channel"] == "gov_12345"


@pytest.mark.rule("R20.2")
def test_ticket_add_with_a_disposition(seat):
    dispatched = seat(*ADD, "--dispatch", "heat_group", "--co-unit", "gov_tiedong", "--json").json()
    assert dispatched["status"] == "dispatched" and dispatched["co_units"] == ["gov_tiedong"]
    answered = seat(*ADD, "--answer", "供暖期为11月1日至次年3月31日", "--json").json()
    assert answered["status"] == "answered" and answered["clock"] is None


@pytest.mark.rule("R10.1")
@pytest.mark.parametrize(
    "stored, looked_up",
    [
        ("13912345678", "13912345678"),
        ("13912345678", "+86 139-1234-5678"),
        ("+86 139 1234 5678", "139 1234 5678"),
        ("0412-2345678", "2345678"),
        ("2345678", "(0412) 234-5678"),
    ],
)
def test_ticket_list_finds_by_phone_in_any_format(seat, stored, looked_up):
    number = seat(*with_option(ADD, "--phone", stored)).out.strip()
    seat(*with_option(ADD, "--phone", "13800000000"))
    result = seat("ticket", "list", "--phone", looked_up)
    assert result.code == 0, result.err
    assert number in result.out and len(result.out.strip().splitlines()) == 1
    found = seat("ticket", "list", "--phone", looked_up, "--json").json()
    assert [t["number"] for t in found] == [number]


@pytest.mark.rule("R10.1")
def test_ticket_list_by_status(seat):
    registered = seat(*ADD).out.strip()
    dispatched = seat(*ADD, "--dispatch", "heat_group").out.strip()
    only = seat("ticket", "list", "--status", "dispatched", "--json").json()
    assert [t["number"] for t in only] == [dispatched]
    assert [t["number"] for t in seat("ticket", "list", "--status", "registered", "--json").json()] == [registered]
    assert seat("ticket", "list", "--status", "archived").out.strip() == "（没有符合条件的办理单）"
    both = seat("ticket", "list").out
    assert registered in both and dispatched in both


@pytest.mark.rule("R10.1")
def test_ticket_show_text_and_json(seat):
    number = seat(*ADD, "--dispatch", "heat_group").out.strip()
    text = seat("ticket", "show", number)
    assert text.code == 0, text.err
    assert number in text.out and "已转办，待单位签收" in text.out
    assert "暖气不热" in text.out and "鞍山市热力集团" in text.out and "办结时限" in text.out
    for step in ("登记", "受理", "转办"):
        assert step in text.out
    data = seat("ticket", "show", number, "--json").json()
    assert data["number"] == number and data["status"] == "dispatched" and data["status_name"] == "已转办，待单位签收"
    assert [e["kind"] for e in data["history"]] == ["register", "accept", "dispatch"]
    assert data["clock"]["name"] == "resolution" and data["clock"]["rule"] == "R22.1"
    assert all(e["actor"] == "test-operator" for e in data["history"])


@pytest.mark.rule("R10.1")
def test_ticket_show_unknown_number(seat):
    result = seat("ticket", "show", "2611029990001")
    assert result.code != 0 and len(result.err_lines) == 1 and "NUMBER" in result.err


def test_show_without_a_database_says_how_to_make_one(cli):
    result = cli("ticket", "list")
    assert result.code != 0 and len(result.err_lines) == 1 and "hotline db init" in result.err
    assert not cli.db_path.exists()


# --- deadline -----------------------------------------------------------------------------------


@pytest.mark.rule("R22.1")
def test_deadline_json_shape_and_national_day(cli):
    result = cli("deadline", "--start", "2026-09-30T10:00:00+08:00", "--workdays", "5", "--json")
    assert result.code == 0, result.err
    assert result.json() == {"due_date": "2026-10-13", "due_at": "2026-10-13T23:59:59+08:00", "provisional": False}


@pytest.mark.rule("R22.1")
def test_deadline_into_2027_is_provisional_until_the_holiday_file_has_it(cli, tmp_path, monkeypatch):
    args = ("deadline", "--start", "2026-12-28T10:00:00+08:00", "--workdays", "5", "--json")
    before = cli(*args).json()
    assert before["due_date"].startswith("2027-") and before["provisional"] is True
    holidays = tmp_path / "holidays.toml"
    holidays.write_text('[2027]\nholidays = ["2027-01-01"]\n', encoding="utf-8")
    monkeypatch.setenv("HOTLINE_HOLIDAYS", str(holidays))
    after = cli(*args).json()
    assert after == {"due_date": "2027-01-05", "due_at": "2027-01-05T23:59:59+08:00", "provisional": False}
    assert after["due_date"] != before["due_date"]
    monkeypatch.delenv("HOTLINE_HOLIDAYS")
    assert cli(*args, "--holidays", str(holidays)).json() == after


@pytest.mark.rule("R22.1")
def test_deadline_text_says_provisional(cli):
    result = cli("deadline", "--start", "2026-12-28T10:00:00", "--workdays", "5")
    assert result.code == 0 and "2027-01-04" in result.out and "暂定" in result.out


@pytest.mark.rule("R22.1")
def test_deadline_with_a_broken_holiday_file_names_it(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[2027]\nholidays = ["2027-13-01"]\n', encoding="utf-8")
    result = cli("deadline", "--start", "2026-12-28T10:00:00+08:00", "--workdays", "5", "--holidays", str(bad))
    assert result.code != 0 and len(result.err_lines) == 1
    assert str(bad) in result.err and "2027-13-01" in result.err


# --- bad input: one line naming the field, nothing written --------------------------------------

BAD_ADDS = [
    (with_option(ADD, "--phone", "12345"), "phone"),
    (with_option(ADD, "--phone", "+1 415 555 0100"), "phone"),
    (with_option(ADD, "--matter", "unicorns"), "matter"),
    (with_option(ADD, "--description", None), "description"),
    (with_option(ADD, "--description", "   "), "description"),
    (with_option(ADD, "--place", "火星"), "place"),
    (with_option(ADD, "--type", "gossip"), "appeal_type"),
    (ADD + ["--vulnerable", "giant"], "vulnerable"),
    (ADD + ["--dispatch", "ghost_bureau"], "ghost_bureau"),
    (ADD + ["--answer", "x", "--dispatch", "heat_group"], "--answer"),
]


@pytest.mark.rule("R19.1")
@pytest.mark.parametrize("args, field", BAD_ADDS, ids=[f for _, f in BAD_ADDS])
def test_bad_ticket_add_names_the_field_and_writes_nothing(seat, args, field):
    seat(*ADD)
    result = seat(*args)
    assert result.code != 0
    assert len(result.err_lines) == 1, result.err
    assert field in result.err and result.out == ""
    assert ticket_count(seat) == 1


@pytest.mark.rule("R19.1")
def test_bad_input_on_a_fresh_seat_creates_no_database(cli):
    result = cli(*with_option(ADD, "--phone", "12345"))
    assert result.code != 0 and "phone" in result.err
    assert not cli.db_path.exists()


@pytest.mark.rule("R19.1")
@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]", b"\xff\xfe\x00"])
def test_bad_json_file(seat, tmp_path, content):
    path = tmp_path / "form.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = seat("ticket", "add", "--json-file", str(path))
    assert result.code != 0 and len(result.err_lines) == 1 and "--json-file" in result.err
    assert ticket_count(seat) == 0


@pytest.mark.rule("R19.1")
def test_json_file_with_bad_fields_names_them(seat, tmp_path):
    path = tmp_path / "form.json"
    path.write_text(
        json.dumps(
            {
                "appellant": {"name": "王", "phone": "1", "address": "x"},
                "appeal_type": "complaint",
                "matter": "garbage",
                "place": "tiexi",
                "description": "垃圾没人清",
            }
        ),
        encoding="utf-8",
    )
    result = seat("ticket", "add", "--json-file", str(path))
    assert result.code != 0 and len(result.err_lines) == 1 and "phone" in result.err
    assert ticket_count(seat) == 0


@pytest.mark.rule("R22.1")
@pytest.mark.parametrize(
    "args, field",
    [
        (["--start", "2026-09-30T10:00:00+08:00", "--workdays", "abc"], "--workdays"),
        (["--start", "2026-09-30T10:00:00+08:00", "--workdays", "-1"], "--workdays"),
        (["--start", "yesterday", "--workdays", "3"], "--start"),
        (["--workdays", "3"], "--start"),
    ],
)
def test_bad_deadline_input(cli, args, field):
    result = cli("deadline", *args)
    assert result.code != 0 and len(result.err_lines) == 1 and field in result.err
    assert result.out == ""


@pytest.mark.rule("R10.1")
@pytest.mark.parametrize(
    "args, field",
    [
        (["ticket", "list", "--phone", "12"], "--phone"),
        (["ticket", "list", "--status", "lost"], "--status"),
    ],
)
def test_bad_list_filters(seat, args, field):
    result = seat(*args)
    assert result.code != 0 and len(result.err_lines) == 1 and field in result.err


@pytest.mark.parametrize("code", ["12", "abcd", "1234", "0a1"])
def test_bad_seat_code(cli, code):
    result = cli("db", "init", "--seat-code", code)
    assert result.code != 0 and len(result.err_lines) == 1 and "--seat-code" in result.err
    assert not cli.db_path.exists()


def test_seat_code_is_fixed_once_set(cli):
    assert cli("db", "init", "--seat-code", "012").code == 0
    assert cli(*ADD).out.strip()[6:9] == "012"
    result = cli("db", "init", "--seat-code", "013")
    assert result.code != 0 and len(result.err_lines) == 1 and "--seat-code" in result.err
    assert cli("db", "init").code == 0
    assert cli(*ADD).out.strip()[6:9] == "012"


# --- db init --demo ----------------------------------------------------------------------------


@pytest.mark.rule("R16.1")
def test_db_init_demo_is_idempotent(cli):
    first = cli("db", "init", "--demo")
    assert first.code == 0, first.err
    count = ticket_count(cli)
    assert count >= 30
    second = cli("db", "init", "--demo")
    assert second.code == 0, second.err
    assert ticket_count(cli) == count
    listed = cli("ticket", "list", "--limit", "1000", "--json").json()
    assert len(listed) == count
    assert len({t["status"] for t in listed}) >= 5  # tickets at every stage


# --- --help everywhere --------------------------------------------------------------------------


def command_paths() -> list[list[str]]:
    from operator_tui.cli import app

    paths: list[list[str]] = []

    # Typer vendors its own click (typer._click), so groups are recognised by their `commands`.
    def walk(cmd, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_the_command_tree_has_the_foundation_commands():
    paths = {" ".join(p) for p in command_paths()}
    assert {"ticket add", "ticket show", "ticket list", "deadline", "db init"} <= paths


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "hotline")
def test_every_command_has_help(cli, path):
    result = cli(*path, "--help")
    assert result.code == 0, result.err
    assert "Usage:" in result.out and ("hotline " + " ".join(path)).strip() in result.out
