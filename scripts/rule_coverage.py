#!/usr/bin/env python3
"""Coverage of the law: every rule ID of REQUIREMENTS.md and the tests that name it.

    .venv/bin/python scripts/rule_coverage.py [--requirements PATH] [--json] [--check] [--update-list]

A test names a rule with `@pytest.mark.rule("R22.1")` on the function or its class, with a
module-level `pytestmark = pytest.mark.rule(...)` (or a list of marks), or in its name
(`test_r22_1_...`). The tests are read with `ast`, not imported, so the script runs in a second.

REQUIREMENTS.md lives beside the project (../shared/spec/ or $HOTLINE_REQUIREMENTS); the rule IDs
are also kept in `scripts/rule_ids.txt` so the check runs where that file is absent (CI). With
--update-list the list is rewritten from REQUIREMENTS.md. --check exits 1 when a rule has no test
or the list and REQUIREMENTS.md disagree.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ID_LIST = ROOT / "scripts" / "rule_ids.txt"
RULE = re.compile(r"^R\d+\.\d+$")
IN_NAME = re.compile(r"(?:^|_)r(\d+)_(\d+)(?=_|$)", re.IGNORECASE)
DEFINED = re.compile(r"\*\*(R\d+\.\d+)\*\*")


def requirements_path(given: str | None) -> Path | None:
    for candidate in (
        given,
        os.environ.get("HOTLINE_REQUIREMENTS"),
        ROOT.parent / "shared" / "spec" / "REQUIREMENTS.md",
        ROOT / "docs" / "REQUIREMENTS.md",
    ):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def rules_in_requirements(path: Path) -> list[str]:
    """The IDs a rule is defined under (`- **R22.1** ...`), in order of appearance."""
    return list(dict.fromkeys(DEFINED.findall(path.read_text(encoding="utf-8"))))


def rules_in_list() -> list[str]:
    return [
        line.strip()
        for line in ID_LIST.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _marks(node: ast.AST) -> list[str]:
    """Rule IDs in `pytest.mark.rule("R..")` calls anywhere in an expression."""
    out = []
    for n in ast.walk(node):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "rule"
            and n.args
            and isinstance(n.args[0], ast.Constant)
            and isinstance(n.args[0].value, str)
        ):
            out.append(n.args[0].value)
    return out


def tests_by_rule(tests_dir: Path) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(tests_dir.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        rel = path.relative_to(ROOT).as_posix()
        module_marks = [
            r
            for n in tree.body
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in n.targets)
            for r in _marks(n.value)
        ]

        def visit(body, inherited: list[str], prefix: str, rel: str = rel) -> None:
            for n in body:
                if isinstance(n, ast.ClassDef) and n.name.startswith("Test"):
                    visit(n.body, inherited + [r for d in n.decorator_list for r in _marks(d)], f"{prefix}{n.name}::")
                elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test"):
                    ids = set(inherited) | {r for d in n.decorator_list for r in _marks(d)}
                    ids |= {f"R{a}.{b}" for a, b in IN_NAME.findall(n.name)}
                    for rule in ids:
                        found[rule].add(f"{rel}::{prefix}{n.name}")

        visit(tree.body, module_marks, "")
    return {rule: sorted(names) for rule, names in found.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requirements", help="path of REQUIREMENTS.md")
    ap.add_argument("--json", action="store_true", help="print {rule: [tests]} as JSON")
    ap.add_argument("--check", action="store_true", help="exit 1 if a rule has no test")
    ap.add_argument("--update-list", action="store_true", help="rewrite scripts/rule_ids.txt from REQUIREMENTS.md")
    args = ap.parse_args(argv)

    req = requirements_path(args.requirements)
    if args.requirements and req is None:
        print(f"error: {args.requirements}: no such file", file=sys.stderr)
        return 2
    listed = rules_in_list()
    defined = rules_in_requirements(req) if req else None
    if args.update_list:
        if defined is None:
            print("error: REQUIREMENTS.md not found (give --requirements)", file=sys.stderr)
            return 2
        ID_LIST.write_text(
            "# Rule IDs of REQUIREMENTS.md (scripts/rule_coverage.py --update-list)\n" + "\n".join(defined) + "\n",
            encoding="utf-8",
        )
        listed = defined
    rules = defined if defined is not None else listed
    by_rule = tests_by_rule(ROOT / "tests")
    missing = [r for r in rules if not by_rule.get(r)]
    unknown = sorted(r for r in by_rule if r not in rules)
    drift = sorted(set(defined) ^ set(listed)) if defined is not None else []

    if args.json:
        print(json.dumps({r: by_rule.get(r, []) for r in rules}, ensure_ascii=False, indent=1))
    else:
        width = max(len(r) for r in rules)
        for r in rules:
            names = by_rule.get(r, [])
            print(
                f"{r:<{width}}  {len(names):>4}  {names[0] if names else '— NO TEST —'}"
                + (f"  (+{len(names) - 1})" if len(names) > 1 else "")
            )
        source = str(req) if req else f"{ID_LIST.relative_to(ROOT)} (REQUIREMENTS.md not found)"
        print(
            f"\n{len(rules) - len(missing)} of {len(rules)} rules named by at least one test "
            f"({sum(len(by_rule.get(r, [])) for r in rules)} rule-test pairs); rules from {source}"
        )
        if missing:
            print("no test: " + ", ".join(missing))
        if unknown:
            print("tests name rules that REQUIREMENTS.md does not define: " + ", ".join(unknown))
        if drift:
            print("scripts/rule_ids.txt differs from REQUIREMENTS.md (run --update-list): " + ", ".join(drift))
    return 1 if args.check and (missing or drift) else 0


if __name__ == "__main__":
    sys.exit(main())
