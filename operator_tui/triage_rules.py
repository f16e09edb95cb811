"""Loading the emergency triage rules (R20.3): the only part of triage that touches files.

The packaged rules are parsed once per process, with the learned second opinion beside them
(``data/triage_model.json``, domain/triage_model.py); a rules file of the user's own runs without
it, since the model was trained beside the packaged rules; a user file given with ``--rules`` or in the
seat's settings is read each time it is asked for, so an edited file is picked up on restart. A
broken user file never leaves the seat without triage: :func:`load_triage_rules_or_packaged`
falls back to the packaged rules and returns the reason, for the seat to show.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path

from . import data
from .domain.triage import TARGETS, TriageRules, TriageRulesError, parse_rules
from .domain.triage_model import SecondOpinion

__all__ = ["PACKAGED_RULES", "TriageRulesError", "load_triage_rules", "load_triage_rules_or_packaged", "pinyin_table"]

PACKAGED_RULES = "operator_tui/data/triage.toml"


def load_triage_rules(path: Path | None = None) -> TriageRules:
    """The rules in ``path``, or the packaged rules when ``path`` is None.

    Raises :class:`TriageRulesError` with one line naming the file and what to fix.
    """
    if path is None:
        return _packaged_rules()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TriageRulesError(
            f"{path}: no such rules file; check the path, or leave it out to use the packaged rules"
        ) from None
    except IsADirectoryError:
        raise TriageRulesError(f"{path}: is a directory; give the path of a .toml rules file") from None
    except UnicodeDecodeError as exc:
        raise TriageRulesError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise TriageRulesError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from None
    return parse_rules(text, str(path), pinyin_table())


def load_triage_rules_or_packaged(path: Path | None) -> tuple[TriageRules, str | None]:
    """The user's rules, or the packaged ones and the reason the user's were refused."""
    try:
        return load_triage_rules(path), None
    except TriageRulesError as exc:
        return _packaged_rules(), f"{exc} — using the packaged rules instead"


@functools.cache
def _packaged_rules() -> TriageRules:
    # A broken packaged file is a build defect; it raises here, so the seat refuses to start.
    rules = parse_rules(data.read_text("triage.toml"), PACKAGED_RULES, pinyin_table())
    model = SecondOpinion.from_json(
        json.loads(data.read_text("triage_model.json")), TARGETS, pinyin_table(), TriageRulesError
    )
    return dataclasses.replace(rules, model=model)


@functools.cache
def pinyin_table() -> dict[str, str]:
    """Toneless syllable → the characters read that way (made by scripts/build_pinyin_table.py), for
    the rules' ``[sounds]`` words; read once, ~30 kB, so pypinyin itself is never imported."""
    return json.loads(data.read_text("pinyin_syllables.json"))
