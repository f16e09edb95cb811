"""Seat assist (issue 13 part 4): accuracy, latency and keystrokes saved by the suggester.

    .venv/bin/python scripts/bench_classify.py [--json] [--seat]

Prints, on the frozen hold-outs (tests/data/classify_holdout.jsonl, the caller's words;
classify_holdout2.jsonl, the operator's summary register) and on the two tuning sets:
top-1 / top-3 accuracy for matter and appeal type, place accuracy (top-1 exact, and the district
right), the p95 time of one suggestion per keystroke over a ~200-character description, and the
keystrokes saved in the 事项 and 诉求类型 pickers, computed from the picker's own filter
(operator_tui/ui/widgets/picker.py): today the operator types the shortest pinyin-initials prefix
that puts the wanted entry first, then Enter (typing on the field opens the picker); with the
suggestions first in the list it is Enter to open, Down per rank below the first, Enter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from operator_tui.classify_data import packaged_suggester  # noqa: E402
from operator_tui.data import read_text  # noqa: E402

SETS = {
    "hold-out (frozen)": ROOT / "tests/data/classify_holdout.jsonl",
    "tuning": ROOT / "tests/data/classify_tuning.jsonl",
    # The operator's summary register (来电人反映…, 市民称…, 诉求：…；要求…): issue 13 part 4.
    "hold-out 2 (frozen)": ROOT / "tests/data/classify_holdout2.jsonl",
    "tuning 2": ROOT / "tests/data/classify_tuning2.jsonl",
}
HEATING_CALL = "家里暖气还是不热，卧室只有十五度，老人冻感冒了，前天已经打过电话"


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def accuracy(cases: list[dict]) -> dict:
    s = packaged_suggester()
    hits = {"matter@1": 0, "matter@3": 0, "type@1": 0, "type@3": 0, "place@1": 0, "district@1": 0}
    placed = 0
    misses = []
    for c in cases:
        got = s.suggest(c["text"], c["address"])
        m = [x.code for x in got.matters]
        t = [x.code for x in got.types]
        hits["matter@1"] += m[:1] == [c["matter"]]
        hits["matter@3"] += c["matter"] in m[:3]
        hits["type@1"] += t[:1] == [c["type"]]
        hits["type@3"] += c["type"] in t[:3]
        if c["matter"] not in m[:3]:
            misses.append((c["id"], c["matter"], m[:3]))
        if c["place"]:
            placed += 1
            p = got.places[0].code if got.places else None
            hits["place@1"] += p == c["place"]
            hits["district@1"] += p is not None and p.split(".")[0] == c["place"].split(".")[0]
    n = len(cases)
    out = {k: round(v / (placed if k.endswith("ce@1") or k.startswith("district") else n), 3) for k, v in hits.items()}
    out.update(cases=n, with_place=placed, matter_misses=misses)
    return out


def latency() -> dict:
    """Every prefix of a ~200-character description, as it grows keystroke by keystroke."""
    s = packaged_suggester()
    text = (
        HEATING_CALL + "，物业说是热力的事，热力说是物业的事，来回踢皮球，屋里温度计才十五度，"
        "孩子也咳嗽了，楼道里还有一股煤气味儿，你们赶紧给协调一下，让热力公司上门测温，"
        "不达标就退费，我们一冬天交了两千多的取暖费呢，凭啥不给热"
    ) * 2
    text = text[:200]
    times = []
    for _ in range(5):
        for i in range(1, len(text) + 1):
            t0 = time.perf_counter()
            s.suggest(text[:i], "铁东区站前街道54号楼5单元101")
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "chars": len(text),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * len(times))], 3),
        "max_ms": round(times[-1], 3),
    }


def seat_latency(chars: int = 120) -> dict:
    """In the seat (Textual headless, Pilot): the description typed key by key; after each key, the
    time the UI thread spends when a picker opens and asks for fresh proposals (the form read, the
    suggester, the three pickers updated): the most a keystroke costs on the UI thread, as the
    debounced worker does the same off it."""
    import asyncio
    import tempfile

    async def run() -> list[float]:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from operator_tui.config import load_rules
        from operator_tui.desk import Desk
        from operator_tui.domain.model import Role
        from operator_tui.settings import Settings
        from operator_tui.store.db import Store
        from operator_tui.triage_rules import load_triage_rules
        from operator_tui.ui.app import make_app
        from operator_tui.ui.context import SeatContext

        now = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        with tempfile.TemporaryDirectory() as tmp:
            rules = load_rules()
            settings = Settings.resolve(db=Path(tmp) / "seat.db", operator="bench")
            store = Store.open(settings.db_path)
            ctx = SeatContext(
                settings=settings,
                rules=rules,
                store=store,
                desk=Desk(store, rules, settings.operator),
                triage_rules=load_triage_rules(),
                kb_search=None,
                caller=None,
                role=Role("operator"),
                now=lambda: now,
            )
            app = make_app(ctx)
            times: list[float] = []
            text = (HEATING_CALL * 4)[:chars]
            async with app.run_test(size=(160, 48)) as pilot:
                screen = app.screen
                await pilot.pause(0.3)
                screen.query_one("#address").focus()
                await pilot.press(*"铁东区站前街道54号楼5单元101")
                screen.query_one("#description").focus()
                await pilot.pause()
                screen._suggest_now()  # the suggester built (a worker does it after the first change)
                for ch in text:
                    await pilot.press(ch)
                    screen._suggested_for = None  # as if the words had changed since the last ask
                    t0 = time.perf_counter()
                    screen._suggest_now()
                    times.append((time.perf_counter() - t0) * 1000)
            return times

    times = sorted(asyncio.run(run()))
    return {
        "keys": len(times),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * len(times))], 3),
        "max_ms": round(times[-1], 3),
    }


def _shortest_query(choices, code: str) -> tuple[str, int]:
    """The cheapest initials prefix for `code`: (query, keys = letters + Down presses + Enter)."""
    from operator_tui.ui.widgets.picker import filter_choices, search_keys

    name = next(c.name for c in choices if c.code == code)
    initials = search_keys(name)[0]
    best = ("", 10**6)
    for k in range(1, len(initials) + 1):
        codes = [c.code for c in filter_choices(choices, initials[:k])]
        if code in codes and k + codes.index(code) + 1 < best[1]:
            best = (initials[:k], k + codes.index(code) + 1)
    return best


def keystrokes(cases: list[dict]) -> dict:
    from operator_tui.ui.widgets.picker import Choice

    matters = [Choice(m["code"], m["name"]) for m in tomllib.loads(read_text("matters.toml"))["matter"]]
    types = [Choice(t["code"], t["name"]) for t in tomllib.loads(read_text("appeal_types.toml"))["type"]]
    s = packaged_suggester()

    def today(choices, code):  # shortest initials that put it first, then Enter
        return _shortest_query(choices, code)[1]

    def assisted(ranked, choices, code):  # Enter, Down × rank, Enter; typing stays possible
        codes = [x.code for x in ranked]
        return min(2 + codes.index(code), today(choices, code)) if code in codes else today(choices, code)

    got = s.suggest(HEATING_CALL)
    heat_m = _shortest_query(matters, "heating_temperature")[0]
    heat_t = _shortest_query(types, "complaint")[0]
    heating = {
        "matter_query": heat_m,
        "type_query": heat_t,
        "today": today(matters, "heating_temperature") + today(types, "complaint"),
        "today_as_readme": (len(heat_m) + 2) + (len(heat_t) + 2),
        "assisted": assisted(got.matters, matters, "heating_temperature") + assisted(got.types, types, "complaint"),
    }
    before = after = 0
    for c in cases:
        g = s.suggest(c["text"], c["address"])
        before += today(matters, c["matter"]) + today(types, c["type"])
        after += assisted(g.matters, matters, c["matter"]) + assisted(g.types, types, c["type"])
    return {
        "heating_call": heating,
        "holdout_mean_today": round(before / len(cases), 2),
        "holdout_mean_assisted": round(after / len(cases), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list the matter misses of the tuning set")
    parser.add_argument("--seat", action="store_true", help="also measure in the seat (Textual headless)")
    args = parser.parse_args(argv)
    report = {name: accuracy(_load(path)) for name, path in SETS.items()}
    report["latency"] = latency()
    if args.seat:
        report["seat_latency"] = seat_latency()
    report["keystrokes"] = keystrokes(_load(SETS["hold-out (frozen)"]))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    for name in SETS:
        r = report[name]
        print(f"{name}: {r['cases']} cases ({r['with_place']} with a place)")
        print(
            f"  matter top-1 {r['matter@1']:.3f}  top-3 {r['matter@3']:.3f}   "
            f"type top-1 {r['type@1']:.3f}  top-3 {r['type@3']:.3f}   "
            f"place top-1 {r['place@1']:.3f} (district right {r['district@1']:.3f})"
        )
        if args.misses and name.startswith("tuning"):
            for miss in r["matter_misses"]:
                print("   miss", miss)
    lat = report["latency"]
    print(
        f"latency per keystroke ({lat['chars']}-character description, every prefix ×5): "
        f"p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, max {lat['max_ms']} ms"
    )
    if args.seat:
        sl = report["seat_latency"]
        print(
            f"in the seat, per keystroke of the description ({sl['keys']} keys; form read, suggester, three "
            f"pickers updated): p50 {sl['p50_ms']} ms, p95 {sl['p95_ms']} ms, max {sl['max_ms']} ms (target p95 ≤ 10 ms)"
        )
    k = report["keystrokes"]
    h = k["heating_call"]
    print(
        f"keystrokes, standard heating call (事项 + 诉求类型): today {h['today']} "
        f"(typing '{h['matter_query']}' and '{h['type_query']}' opens each picker, Enter picks; "
        f"{h['today_as_readme']} with Enter to open first), with suggestions {h['assisted']}"
    )
    print(
        f"keystrokes per hold-out call (事项 + 诉求类型): today {k['holdout_mean_today']}, "
        f"with suggestions {k['holdout_mean_assisted']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
