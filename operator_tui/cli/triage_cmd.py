"""`hotline triage TEXT`: which emergency referrals a call's text calls for (R20.3).

Plain output is for people, in Chinese; ``--json`` prints the shape other tools rely on (issue 5):
``{"referrals": [...], "emergency": bool, "matches": [{"target", "phrase", "start", "end", ...}],
"rule_ids": [...], "overruled": [...]}`` (``overruled``: the rules' matches the second opinion
withdrew, the whole text reading as ordinary; issue 13 round 12). Bad input ends in one line on
stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..domain.text import clean_text
from ..domain.triage import TARGET_NAMES, TriageRulesError, triage
from ..settings_table import ENV
from ..triage_rules import load_triage_rules
from .base import settings

__all__ = ["register"]


def _fail(message: str) -> typer.Exit:
    typer.echo(" ".join(message.split()), err=True)  # one line, whatever the message held
    return typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    """Add the ``triage`` command to ``app``."""

    @app.command("triage")
    def triage_command(
        ctx: typer.Context,
        text: str = typer.Argument(
            ..., metavar="TEXT", help="来电内容（call text）; '-' reads it from standard input."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: referrals, emergency, matches, rule_ids."),
        rules_file: Path = typer.Option(
            None,
            "--rules",
            metavar="FILE",
            envvar=ENV["triage_rules"],
            help="Triage rules file (TOML) instead of the packaged rules.",
        ),
    ) -> None:
        """Flag emergencies in a call text: 110 报警, 119 火警, 120 急救, 122 交通事故, 应急部门."""
        resolved = settings(ctx)  # None when the command runs on its own app (tests), without the root
        if rules_file is None and resolved is not None:  # config.toml's, when neither option nor environment
            rules_file = resolved.triage_rules
        if text == "-":
            text = sys.stdin.read()
        if not text.strip():
            raise _fail("TEXT: 来电内容为空，请给出要检查的文字（或用 '-' 从标准输入读取）")
        if rules_file is not None and not rules_file.is_file():
            raise _fail(f"--rules：找不到规则文件 {rules_file}；请检查路径，或不加此项使用内置规则")
        try:
            rules = load_triage_rules(rules_file)
        except TriageRulesError as exc:
            raise _fail(f"--rules: {exc}") from None
        result = triage(text, rules)
        if as_json:
            typer.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))
            return
        if not result.emergency:
            typer.echo("未发现紧急情况")
            # The rules' words the second opinion overruled (round 12), each once with its targets.
            named: dict[str, list[str]] = {}
            for m in result.overruled:
                targets = named.setdefault(clean_text(m.phrase), [])
                targets.extend([] if m.target in targets else [m.target])
            for word, targets in named.items():
                names = "、".join(f"{t} {TARGET_NAMES[t]}" for t in targets)
                typer.echo(f"  （规则提到“{word}”：{names}；全文判断不像紧急情况）")
            return
        names = "、".join(f"{t} {TARGET_NAMES[t]}" for t in result.referrals)
        typer.echo(f"紧急情况：建议转介 {names}")
        for target in result.referrals:
            # Caller words go to a terminal: strip anything a terminal would obey.
            words = "、".join(f"“{clean_text(p)}”" for p in result.phrases(target))
            typer.echo(f"  {target} {TARGET_NAMES[target]}：{words}")
