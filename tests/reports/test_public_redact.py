"""The redaction of personal data from a case's text (operator_tui/domain/redact.py, R37.1)."""

from __future__ import annotations

import pytest

from operator_tui.domain.redact import Known, leaks, normalise, redact

CALLER = Known(name="王建国", phone="13912345678", address="铁东区站前街道幸福小区1号楼2单元301")


@pytest.mark.rule("R37.1")
@pytest.mark.parametrize(
    "text, secret",
    [
        ("电话13987654321", "13987654321"),
        ("电话 139-8765-4321", "8765"),
        ("座机0412-5551234", "5551234"),
        ("身份证210302198001011234", "210302198001011234"),
        ("身份证号 21030219800101123X", "1123X"),
        ("车牌辽C·12345的车", "12345"),
        ("车牌辽C D1234", "D1234"),
        ("住在3号楼2单元301室", "301"),
        ("家是1-2-301", "301"),
        ("阳光花园的住户", "阳光花园"),
        ("邻居李大山总是吵", "李大山"),
        ("我叫欧阳明，来反映", "欧阳明"),
        ("张女士说", "张"),
    ],
)
def test_patterns_remove_what_anyone_could_say(text, secret):
    out = redact(text)
    assert secret not in out.text
    assert out.kinds  # says what kind was removed


@pytest.mark.rule("R37.1")
@pytest.mark.parametrize(
    "text",
    [
        "我是王建国，家里暖气不热",
        "王 建 国 反映",
        "建国说暖气不热",
        "王先生反映暖气不热",
        "电话一三九一二三四五六七八",
        "电话 １３９ １２３４ ５６７８",
        "电话 139 1234 5678",
        "尾号12345678",
        "住铁东区站前街道幸福小区1号楼2单元301",
        "就在幸福小区",
    ],
)
def test_the_callers_own_data_is_removed_however_it_is_written(text):
    out = redact(text, CALLER).text
    for secret in ("王建国", "建国", "王", "5678", "幸福小区", "301", "五六七八", "５６７８"):
        assert secret not in out, (text, out)


@pytest.mark.rule("R37.1")
def test_ordinary_words_dates_and_places_stay():
    text = "2026-10-01起，铁东区站前街道供暖温度只有15度，已派热力公司处理，三天内修好。"
    assert redact(text, CALLER).text == text


@pytest.mark.rule("R37.1")
def test_a_reviewers_edit_is_checked_for_the_callers_own_data():
    assert leaks("某某反映暖气不热", CALLER) == ()
    assert leaks("王建国反映", CALLER) == ("某某",)
    assert "[电话]" in leaks("联系 139 1234 5678", CALLER)


def test_normalise_keeps_positions():
    text = "电话１３９一二三abc"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "电话139123ABC"
