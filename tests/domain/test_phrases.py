"""Standard phrases (规范用语) filled from the ticket's own fields (R19.2)."""

from __future__ import annotations

import pytest

from operator_tui.domain.phrases import fill, form_values


@pytest.mark.rule("R19.2")
def test_read_back_is_filled_from_the_form(rules, form):
    values = form_values(form(), rules.taxonomy)
    text = fill(rules.phrases.templates["readback"], values)
    assert "王先生" in text and "13912345678" in text and "站前街道" in text
    assert "供暖温度不达标" in text and "投诉" in text and "家里暖气不热" in text
    assert "____" not in text


@pytest.mark.rule("R19.2")
def test_a_missing_field_reads_as_a_gap_the_operator_can_see(rules, form):
    f = form()
    f["appellant"] = {**f["appellant"], "address": ""}
    text = fill(rules.phrases.templates["readback"], form_values(f, rules.taxonomy))
    assert "住在____" in text


@pytest.mark.rule("R19.2")
@pytest.mark.rule("R20.5")
@pytest.mark.rule("R20.6")
def test_every_phrase_is_at_hand(rules):
    templates = rules.phrases.templates
    for key in ("greeting", "verification", "readback", "closing", "closing_no_number", "link_call"):
        assert templates[key].strip()
    assert "{number}" in templates["closing"]
    assert set(rules.phrases.advice) == {"review", "litigation", "arbitration", "discipline_12388", "out_of_scope"}
    assert "12388" in rules.phrases.advice["discipline_12388"]
