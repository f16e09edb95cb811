"""Loading the risk-warning policy (R31.1): the only part of risk warnings that touches files.

The thresholds and cue words are the policy file's [risks] section (the packaged one, or
HOTLINE_POLICY as for every other policy key); the negation words are the triage rules' own
[cues.negation] (packaged triage.toml), so "没有聚集" and "不是着火" are read by one list.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from . import data
from .domain.risks import RiskPolicy, RiskPolicyError, parse_risk_policy
from .settings import environment

__all__ = ["RiskPolicyError", "load_risk_policy"]


def load_risk_policy(policy: Path | None = None) -> RiskPolicy:
    """`policy`, else HOTLINE_POLICY, else the packaged policy file; raises RiskPolicyError (one line)."""
    named = environment("policy")
    path = policy or (Path(named) if named else None)
    if path is None:
        return _packaged()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RiskPolicyError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    return parse_risk_policy(text, str(path), _negation())


@functools.cache
def _packaged() -> RiskPolicy:
    return parse_risk_policy(data.read_text("policy.toml"), "policy.toml", _negation())


@functools.cache
def _negation() -> dict:
    return tomllib.loads(data.read_text("triage.toml"))["cues"]["negation"]
