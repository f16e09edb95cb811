"""Seat assist (issue 13 part 4): the ticket classified from the caller's words.

From the description and the address the seat proposes ranked matters (事项), appeal types
(诉求类型) and places (地点), each with a score and the words that led to it, so the operator
confirms with Enter or picks another (R19.1: nothing is filled in silently; R18.1: the ticket's
type, matter and place). Pure: the data files' text comes in, no I/O and no clock.

Two kinds of evidence, added up:
- cue words: the matters' `keywords` and names (matters.toml), the type cues and place aliases
  (classify.toml). They say *why* in words an operator recognises;
- a character-bigram naive-Bayes model (classify_model.json, written offline by
  scripts/train_classify.py from the tuning set, the matter names and the knowledge base's
  article→matter links). It catches wording the cue lists miss; its strongest bigrams are shown
  when no cue matched.

Both read the words past the operator's boilerplate (register.py): in "来电人反映：…" the
speaker and the reporting verb are masked before any cue or bigram is looked at, so 来电人 is not
the power coming back (来电) and 反映 is not the appeal type 情况反映. The verb is kept aside and
counts for the type only as classify.toml ``[register.verbs]`` says (咨询 → 咨询类, measured on the
tuning sets).

Scoring is a few hundred substring tests and one dict lookup per bigram: well under a
millisecond on a 200-character description, so it can run on every keystroke.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from operator_tui.domain.register import read as read_register

__all__ = ["Suggestion", "Suggestions", "Suggester", "build_suggester", "bigrams"]


# Cue weights grow with length: a four-character cue is more specific than a two-character one.
def _cue_weight(cue: str) -> float:
    return min(len(cue), 4) / 2


# How much the bigram model counts beside the cue words (tuned on classify_tuning.jsonl only).
NB_MATTER_WEIGHT = 0.5
NB_TYPE_WEIGHT = 0.3
# Appeal type when nothing says otherwise: most calls to a municipal hotline are complaints.
TYPE_PRIOR = {"complaint": 0.5}

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float  # share of the evidence, 0..1, for ordering and display
    words: tuple[str, ...]  # what led to it, as found in the caller's words


@dataclass(frozen=True)
class Suggestions:
    matters: tuple[Suggestion, ...]
    types: tuple[Suggestion, ...]
    places: tuple[Suggestion, ...]


def bigrams(text: str) -> set[str]:
    """The distinct Chinese character bigrams of a text (punctuation, digits and Latin split runs)."""
    out: set[str] = set()
    for run in _NOT_HAN.split(text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _ranked(evidence: dict[str, float], words: dict[str, list[str]], limit: int) -> tuple[Suggestion, ...]:
    positive = {code: s for code, s in evidence.items() if s > 0}
    total = sum(positive.values()) or 1.0
    order = sorted(positive, key=lambda c: (-positive[c], c))[:limit]
    return tuple(Suggestion(c, round(positive[c] / total, 3), tuple(dict.fromkeys(words.get(c, ())))) for c in order)


class Suggester:
    """Built once from the data files' text (see :func:`build_suggester`); :meth:`suggest` is pure."""

    def __init__(
        self,
        matter_cues: dict[str, list[tuple[str, float]]],
        type_cues: dict[str, list[tuple[str, float]]],
        nb: dict[str, dict[str, dict[str, float]]],
        places: list[tuple[str, str, float]],
        verb_types: dict[str, list[tuple[str, float]]] | None = None,
    ) -> None:
        self._verb_types = verb_types or {}  # reporting verb → [(type code, weight)]
        self._matter_cues = matter_cues
        self._type_cues = type_cues
        self._nb = nb  # "matter" | "type" → bigram → {code: log-likelihood ratio}
        self._places = places  # (name as written, place code, weight), longest first

    def suggest(self, description: str, address: str = "", limit: int = 5) -> Suggestions:
        register = read_register(description)
        text = register.masked  # same length: the words shown stay words the operator typed
        grams = bigrams(text)
        type_prior = dict(TYPE_PRIOR)
        verb_words: dict[str, list[str]] = {}
        for verb in register.verbs:  # "来电人咨询…": the verb may be the type (classify.toml [register])
            for code, weight in self._verb_types.get(verb, ()):
                type_prior[code] = type_prior.get(code, 0.0) + weight
                verb_words.setdefault(code, []).append(verb)
        return Suggestions(
            self._score(text, grams, self._matter_cues, self._nb.get("matter", {}), NB_MATTER_WEIGHT, {}, limit),
            self._score(
                text, grams, self._type_cues, self._nb.get("type", {}), NB_TYPE_WEIGHT, type_prior, limit, verb_words
            ),
            # Places are names, read in the words as typed: a note like 来电人（铁东区…） may hold one.
            self._place(description, address, limit),
        )

    @staticmethod
    def _score(
        text: str,
        grams: set[str],
        cues: dict[str, list[tuple[str, float]]],
        nb: dict[str, dict[str, float]],
        nb_weight: float,
        prior: dict[str, float],
        limit: int,
        prior_words: dict[str, list[str]] | None = None,
    ) -> tuple[Suggestion, ...]:
        evidence: dict[str, float] = dict(prior)
        words: dict[str, list[str]] = {code: list(ws) for code, ws in (prior_words or {}).items()}
        for code, pairs in cues.items():
            for cue, weight in pairs:
                if cue in text:
                    evidence[code] = evidence.get(code, 0.0) + weight
                    words.setdefault(code, []).append(cue)
        strongest: dict[str, tuple[float, str]] = {}
        for gram in sorted(grams):  # in a fixed order: the same words whatever the hash seed
            for code, llr in nb.get(gram, {}).items():
                evidence[code] = evidence.get(code, 0.0) + nb_weight * llr
                if llr > strongest.get(code, (0.0, ""))[0]:
                    strongest[code] = (llr, gram)
        for code, (_, gram) in strongest.items():
            if code not in words:  # no cue word: show the bigram that spoke loudest
                words[code] = [gram]
        return _ranked(evidence, words, limit)

    def _place(self, description: str, address: str, limit: int) -> tuple[Suggestion, ...]:
        evidence: dict[str, float] = {}
        words: dict[str, list[str]] = {}
        # The address is typed on purpose and counts double; a place in the words still counts.
        for text, factor in ((address, 2.0), (description, 1.0)):
            taken = [False] * len(text)
            for name, code, weight in self._places:
                start = text.find(name)
                while start >= 0:
                    end = start + len(name)
                    if not any(taken[start:end]):
                        taken[start:end] = [True] * len(name)
                        evidence[code] = evidence.get(code, 0.0) + factor * weight
                        words.setdefault(code, []).append(name)
                        district = code.split(".")[0]
                        if district != code:  # a street also speaks for its district
                            evidence[district] = evidence.get(district, 0.0) + factor * weight * 0.5
                    start = text.find(name, end)
        # A street is the finer answer: it outranks its own district when both were named.
        for code in list(evidence):
            district = code.split(".")[0]
            if district != code and district in evidence:
                evidence[code] += evidence[district]
                words.setdefault(code, []).extend(words.get(district, ()))
        return _ranked(evidence, words, limit)


def build_suggester(matters_toml: str, places_toml: str, classify_toml: str, model_json: str = "{}") -> Suggester:
    """A :class:`Suggester` from the text of matters.toml, places.toml, classify.toml and the
    bigram model. Raises ValueError naming what is wrong with the data."""
    matters = tomllib.loads(matters_toml).get("matter", [])
    cues: dict[str, list[tuple[str, float]]] = {}
    for m in matters:
        words = set(m.get("keywords", []))
        # The name's own parts: "供水：停水" → 供水, 停水; "医保（医疗保险）" → 医保, 医疗保险.
        words.update(p for p in re.split(r"[：/（）、\s]+", m["name"]) if len(p) >= 2)
        cues[m["code"]] = sorted(((w, _cue_weight(w)) for w in words), key=lambda p: (-len(p[0]), p[0]))
    config = tomllib.loads(classify_toml)
    type_cues = {
        code: sorted(((w, float(v)) for w, v in body.get("cues", {}).items()), key=lambda p: (-len(p[0]), p[0]))
        for code, body in config.get("type", {}).items()
    }
    places = _place_names(tomllib.loads(places_toml).get("place", []), config.get("places", {}).get("aliases", {}))
    verb_types: dict[str, list[tuple[str, float]]] = {}
    for verb, body in config.get("register", {}).get("verbs", {}).items():
        if not isinstance(body, dict):
            raise ValueError(f"classify.toml [register.verbs] {verb!r}: expected {{ type = weight }}, got {body!r}")
        for code, weight in body.items():
            if code not in type_cues:
                raise ValueError(f"classify.toml [register.verbs] {verb!r}: unknown appeal type {code!r}")
            verb_types.setdefault(verb, []).append((code, float(weight)))
    try:
        model = json.loads(model_json)
    except json.JSONDecodeError as exc:
        raise ValueError(f"classify model: not JSON ({exc.msg} at line {exc.lineno})") from None
    nb = {kind: model.get(kind, {}) for kind in ("matter", "type")}
    return Suggester(cues, type_cues, nb, places, verb_types)


def _place_names(rows: list[dict[str, Any]], aliases: dict[str, str]) -> list[tuple[str, str, float]]:
    districts = {r["code"] for r in rows}
    names: dict[str, tuple[str, float]] = {}
    for alias, code in aliases.items():
        if code not in districts:
            raise ValueError(f"classify.toml [places] aliases: {alias!r} names unknown place {code!r}")
        names[alias] = (code, 1.0)
    stems_of_districts = set(aliases) | {r["name"][:-1] for r in rows}
    seen_stems: dict[str, int] = {}
    for r in rows:
        names[r["name"]] = (r["code"], 1.0)
        for street in r.get("streets", []):
            names[street] = (f"{r['code']}.{street}", 1.5)
            stem = re.sub(r"(街道|镇)$", "", street)
            seen_stems[stem] = seen_stems.get(stem, 0) + 1
    for r in rows:
        for street in r.get("streets", []):
            stem = re.sub(r"(街道|镇)$", "", street)
            # A bare stem that is also a district's name (立山) or belongs to two streets (宁远)
            # says nothing on its own; the full street name still matches.
            if len(stem) >= 2 and stem not in stems_of_districts and seen_stems[stem] == 1 and stem not in names:
                names[stem] = (f"{r['code']}.{street}", 1.0)
    return sorted(((n, c, w) for n, (c, w) in names.items()), key=lambda t: (-len(t[0]), t[0]))
