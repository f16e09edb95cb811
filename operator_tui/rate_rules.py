"""Loading the rates' definitions (R35.1): the policy file's [rates] section, the only part of the
rates that touches files (the definitions themselves are `domain/rates.py`).

The packaged policy, or HOTLINE_POLICY as for every other policy key. Read once per file per
process: the server's projection asks for them on every ticket it writes.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import data
from .domain.policy import PolicyError
from .domain.rates import RateRules, parse_rate_rules
from .settings import environment

__all__ = ["PolicyError", "load_rate_rules"]


def load_rate_rules(policy: Path | None = None) -> RateRules:
    """`policy`, else HOTLINE_POLICY, else the packaged policy file; raises PolicyError (one line)."""
    named = environment("policy")
    path = policy or (Path(named) if named else None)
    return _from_file(str(path)) if path is not None else _packaged()


@functools.cache
def _packaged() -> RateRules:
    return parse_rate_rules(data.read_text("policy.toml"), "policy.toml")


@functools.cache
def _from_file(path: str) -> RateRules:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    return parse_rate_rules(text, path)
