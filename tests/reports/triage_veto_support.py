"""A toy second opinion whose veto overrules the knife-and-watermelon text, for the field report's
veto figures (R20.3, round 12). Built as tests/domain/test_triage_veto.py builds it, so the tests do
not hang on what the packaged model happens to read in a given round."""

from __future__ import annotations

import dataclasses
import functools

from operator_tui.domain.triage import TARGETS, TriageRules
from operator_tui.domain.triage_features import Featuriser
from operator_tui.domain.triage_model import SecondOpinion
from operator_tui.triage_rules import load_triage_rules, pinyin_table

KNIFE = "学校门口有人拿刀，卖水果的切西瓜"  # the rules: 110 and 120; the toy overrules both
STALL_FIRE = "卖西瓜的摊位着火了"  # the rules: 119; the toy overrules it


@functools.cache  # built once per process, like the packaged rules
def veto_rules(veto: float = 1e-4) -> TriageRules:
    """The packaged rules with a toy model: 西瓜 pushes every target far down, nothing else weighs,
    and it never proposes a target of its own (thresholds 0.99 over a bias of p 0.018). With
    ``veto=0.0`` it never overrules."""
    weights = {"西瓜": [-12.0] * 5}
    model = SecondOpinion(TARGETS, [-4.0] * 5, weights, [0.99] * 5, Featuriser(pinyin_table(), 2, 0), veto)
    return dataclasses.replace(load_triage_rules(), model=model)
