"""What a public Open311 GET never carries (R26.1, R33.2, R33.1): the caller's name, phone and
address, a complaint's words, or anything of a secret ticket but its id and status. Property-
tested with seeded personal data, on both engines, in JSON and XML."""

from __future__ import annotations

import string
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server_stub.open311.mapping import redact

BASE = "/open311/v2"
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
names = st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES), st.text(GIVEN, min_size=1, max_size=2))
phones = st.builds(
    lambda p, rest: f"1{p}{rest}", st.sampled_from("3589"), st.text(string.digits, min_size=9, max_size=9)
)
addresses = st.builds(
    lambda n, b, r: f"铁东区和平路{n}号{b}单元{r}", st.integers(1, 999), st.integers(1, 9), st.integers(101, 1802)
)
separators = st.sampled_from(["", "-", " "])
words = st.sampled_from(["暖气不热", "楼道灯坏了", "垃圾没人清", "噪音扰民"])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _spaced(phone: str, sep: str) -> str:
    return f"{phone[:3]}{sep}{phone[3:7]}{sep}{phone[7:]}"


def _public(o311, number: str) -> list[str]:
    """Every public answer that names the ticket, as text."""
    return [o311.client.get(f"{BASE}/requests/{number}.{fmt}").text for fmt in ("json", "xml")] + [
        o311.client.get(f"{BASE}/requests.{fmt}", params={"service_request_id": number}).text for fmt in ("json", "xml")
    ]


@pytest.mark.rule("R26.1")
@SLOW
@given(
    name=names,
    phone=phones,
    address=addresses,
    sep=separators,
    what=words,
    appeal_type=st.sampled_from(["help", "opinion", "complaint", "whistleblow"]),
)
def test_no_public_answer_carries_the_callers_identity(o311, name, phone, address, sep, what, appeal_type):
    description = f"{what}，我是{name}，住{address}，电话{_spaced(phone, sep)}，邻居电话13800138000"
    number = o311.push_ticket(name=name, phone=phone, address=address, description=description, appeal_type=appeal_type)
    for text in _public(o311, number):
        for secret in (name, phone, address, _spaced(phone, sep), "13800138000"):
            assert secret not in text
        assert what in text if appeal_type in ("help", "opinion") else what not in text


@pytest.mark.rule("R26.1")
@SLOW
@given(name=names, phone=phones, what=words)
def test_a_partners_request_is_published_without_its_caller_either(o311, name, phone, what):
    r = o311.post(last_name=name[0], first_name=name[1:], phone=phone, description=f"{what}，联系{name}{phone}")
    assert r.status_code == 200, r.text
    for text in _public(o311, r.json()[0]["service_request_id"]):
        assert name not in text and phone not in text and what in text


@pytest.mark.rule("R26.1")
def test_a_complaint_is_published_without_its_words(o311):
    number = o311.push_ticket(appeal_type="complaint", description="投诉某物业经理乱收费")
    got = o311.client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert "description" not in got and got["status"] == "open"


@pytest.mark.rule("R33.2")
def test_a_secret_ticket_shows_its_id_and_status_only(o311):
    number = o311.push_ticket(appeal_type="help", secrecy=["commercial"], description="某企业配方泄露")
    assert o311.client.get(f"{BASE}/requests/{number}.json").json() == [
        {"service_request_id": number, "status": "open"}
    ]
    listed = [r for r in o311.client.get(f"{BASE}/requests.json").json() if r["service_request_id"] == number]
    assert listed == [{"service_request_id": number, "status": "open"}]
    assert "配方" not in o311.client.get(f"{BASE}/requests.xml").text


@pytest.mark.rule("R26.1")
@given(phone=phones, sep=st.sampled_from(["", "-", " ", "－"]), before=st.sampled_from(["", "电话", "tel:"]))
def test_redact_takes_out_anything_shaped_like_a_phone(phone, sep, before):
    # The number is someone else's (not the appellant's): only its shape gives it away.
    nobody = SimpleNamespace(appellant=SimpleNamespace(name="", phone="", address=""))
    text = redact(f"{before}{_spaced(phone, sep)}。", nobody)  # type: ignore[arg-type]
    assert not any(ch.isdigit() for ch in text)
