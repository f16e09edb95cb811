#!/usr/bin/env python3
"""Write operator_tui/data/pinyin_syllables.json: toneless pinyin syllable -> the GB2312 characters
whose usual reading it is (pypinyin's first reading: a typo comes from the reading the caller
typed, and the rare readings of heteronyms would put 吃 under qi and 味 under mei).

The triage rules compare cue words by sound (issue 13): a same-sound typo (没气味 for 煤气味) or
pinyin typed into the text (ranqi xielou). The table is made here once with pypinyin and shipped,
so the seat never imports pypinyin's 40,000-entry dictionary at start-up or on a keystroke.
GB2312 (6,763 characters) is what an input method offers first; rarer characters are not typos
anyone makes. tests/domain/test_triage_sounds.py checks that the shipped file is up to date.

    .venv/bin/python scripts/build_pinyin_table.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "operator_tui" / "data" / "pinyin_syllables.json"


def gb2312_chars() -> list[str]:
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def build() -> str:
    from pypinyin import Style, pinyin

    table: dict[str, list[str]] = {}
    for ch in gb2312_chars():
        readings = pinyin(ch, style=Style.NORMAL, heteronym=False, errors="ignore")
        syllable = readings[0][0].replace("ü", "v") if readings and readings[0] else ""
        if syllable.isascii() and syllable.isalpha():
            table.setdefault(syllable, []).append(ch)
    body = {s: "".join(cs) for s, cs in sorted(table.items())}
    return json.dumps(body, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the shipped table is out of date")
    args = ap.parse_args(argv)
    text = build()
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{OUT} is out of date; run this script without --check")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(json.loads(text))} syllables)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
