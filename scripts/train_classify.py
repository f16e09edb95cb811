"""Write operator_tui/data/classify_model.json: the seat-assist bigram model (issue 13 part 4).

Trained offline, never at run time, from what may be tuned on: tests/data/classify_tuning.jsonl
and classify_tuning2.jsonl (the operator's summary register),
the matters' names and keywords (matters.toml) and the titles of the knowledge-base articles
linked to each matter (operator_tui/data/kb/*.md `matters:`). Never from the frozen hold-outs. The descriptions are read as the suggester reads them: with the
operator's boilerplate masked (operator_tui/domain/register.py), so 来电人/反映 teach nothing.
Pure Python (no scikit-learn): per label, the log-likelihood ratio of each character bigram,
kept when it is clearly above chance, rounded so the file stays small.

    .venv/bin/python scripts/train_classify.py
"""

from __future__ import annotations

import json
import math
import re
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from operator_tui.domain.classify import bigrams  # noqa: E402
from operator_tui.domain.register import mask  # noqa: E402

DATA = ROOT / "operator_tui" / "data"
TUNING = [ROOT / "tests" / "data" / name for name in ("classify_tuning.jsonl", "classify_tuning2.jsonl")]
ALPHA = 0.5  # additive smoothing
KEEP = 1.0  # keep a bigram for a label when log p(b|label)/p(b) exceeds this


def _docs() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    by_matter: dict[str, list[str]] = defaultdict(list)
    by_type: dict[str, list[str]] = defaultdict(list)
    for path in TUNING:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                by_matter[case["matter"]].append(mask(case["text"]))
                by_type[case["type"]].append(mask(case["text"]))
    for m in tomllib.loads((DATA / "matters.toml").read_text(encoding="utf-8"))["matter"]:
        by_matter[m["code"]].append(m["name"])
        by_matter[m["code"]].extend(m.get("keywords", []))
    for path in sorted((DATA / "kb").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^title: (.+)$", text, re.M)
        block = re.search(r"^matters:\n((?:- .+\n)+)", text, re.M)
        if title and block:
            for code in re.findall(r"^- (\S+)", block.group(1), re.M):
                by_matter[code].append(title.group(1))
    return by_matter, by_type


def _llr(docs: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    counts = {label: Counter(g for t in texts for g in bigrams(t)) for label, texts in docs.items()}
    total = Counter()
    for c in counts.values():
        total.update(c)
    vocab, n_all = len(total), sum(total.values())
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for label, c in counts.items():
        n = sum(c.values())
        for gram, k in c.items():
            w = math.log((k + ALPHA) / (n + ALPHA * vocab)) - math.log((total[gram] + ALPHA) / (n_all + ALPHA * vocab))
            if w > KEEP:
                out[gram][label] = round(w, 2)
    return dict(sorted(out.items()))


def main() -> int:
    by_matter, by_type = _docs()
    model = {
        "about": "seat-assist bigram model; written by scripts/train_classify.py, do not edit",
        "matter": _llr(by_matter),
        "type": _llr(by_type),
    }
    out = DATA / "classify_model.json"
    out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(
        f"{out.relative_to(ROOT)}: {len(model['matter'])} matter bigrams, {len(model['type'])} type bigrams, "
        f"{out.stat().st_size // 1024} KiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
