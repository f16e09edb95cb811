"""The `[public]` section of policy.toml (server_stub/public/policy.py; R17.1, R37.1)."""

from __future__ import annotations

import pytest

from operator_tui.data import read_text
from server_stub.public.policy import PublicPolicy, PublicPolicyError, parse_public


@pytest.mark.rule("R37.1")
def test_the_packaged_policy_has_a_public_section_with_a_minimum_for_hot_issues():
    policy = parse_public(read_text("policy.toml"))
    assert policy.hot_min_tickets >= 2  # one ticket on a matter in a place could point at its caller
    assert policy.period in ("month", "week", "year")


@pytest.mark.rule("R17.1")
def test_defaults_when_the_section_is_absent():
    assert parse_public("[call]\nwarn_seconds = 300\n") == PublicPolicy()


@pytest.mark.rule("R17.1")
@pytest.mark.parametrize(
    "text, key",
    [
        ('[public]\nperiod = "day"\n', "public.period"),
        ("[public]\nhot_issues = 0\n", "public.hot_issues"),
        ("[public]\nrefresh_seconds = -1\n", "public.refresh_seconds"),
        ("[public]\nhot_min_tickets = true\n", "public.hot_min_tickets"),
        ('[public]\nearliest = "2026-13"\n', "public.earliest"),
        ("[public\n", "not valid TOML"),
    ],
)
def test_a_bad_value_names_the_key(text, key):
    with pytest.raises(PublicPolicyError, match=key):
        parse_public(text, "site.toml")
