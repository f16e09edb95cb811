#!/usr/bin/env python3
"""How much of what an operator types survives `kill -9` (issue 14: "loses at most 5 characters").

For each trial: a seat starts in tmux (120×36) on a fresh copy of a demo database, the cursor goes
to the description, a description is typed at 10 characters a second, and the seat is killed with
SIGKILL at a random moment while typing (uniform over the typing time). The autosaved draft, which
a restarted seat puts back, is compared with what had been typed by then: lost = typed − kept
(kept must be a prefix of typed). Prints each trial and the summary.

    .venv/bin/python scripts/kill_while_typing.py [--kills 20] [--rate 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tmux_seat import TmuxSeat, ensure_tmux, make_db, read_draft  # noqa: E402

TEXT = (
    "家里暖气一直不热卧室只有十五度老人孩子都感冒了找物业物业说是热力公司的问题打了好几次电话也没人来修"
    "希望尽快派人来看看"
)


def trial(template: Path, work: Path, rng: random.Random, rate: float) -> tuple[int, int, float]:
    """(typed, kept, killed after seconds of typing)."""
    db = work / "seat.db"
    shutil.copy(template, db)
    seat = TmuxSeat(db, size=(120, 36)).start()
    try:
        seat.wait_complete()
        seat.keys("13800001111", "Enter", "铁东区站前街道7号楼", "Enter", "Tab")
        time.sleep(0.5)
        length = rng.randint(15, len(TEXT))
        kill_after = rng.uniform(0.05, length / rate)  # any moment while typing
        typed = [0]
        started = time.monotonic()
        killer = threading.Timer(kill_after, seat.kill)
        killer.start()

        def counted(n: int) -> None:
            typed[0] = n
            if seat.pid is None:
                raise _Killed

        try:
            seat.type_slowly(TEXT[:length], per_second=rate, on_key=counted)
            time.sleep(max(0.0, kill_after - (time.monotonic() - started)) + 0.05)
        except (_Killed, subprocess.CalledProcessError):  # the session ends with the seat
            if seat.pid is not None:
                raise
        killer.join()
        kept = ((read_draft(db) or {}).get("form") or {}).get("description", "")
        if not TEXT.startswith(kept):
            raise AssertionError(f"the draft holds what was not typed: {kept!r}")
        return typed[0], len(kept), kill_after
    finally:
        seat.close()
        for f in work.iterdir():
            f.unlink()


class _Killed(Exception):
    pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--rate", type=float, default=10.0, help="characters per second")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not ensure_tmux():
        sys.exit("tmux is needed (apt-get install tmux)")
    rng = random.Random(args.seed)
    lost: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        template = make_db(Path(tmp) / "template.db")
        work = Path(tmp) / "run"
        work.mkdir()
        for i in range(args.kills):
            typed, kept, at = trial(template, work, rng, args.rate)
            lost.append(typed - kept)
            print(f"kill {i + 1:2d} at {at:5.2f} s: typed {typed:2d}, kept {kept:2d}, lost {typed - kept}")
    print(
        f"{args.kills} kills while typing at {args.rate:g} chars/s: lost max {max(lost)}, "
        f"mean {statistics.mean(lost):.1f}, median {statistics.median(lost):g} characters (target: max ≤ 5)"
    )
    sys.exit(0 if max(lost) <= 5 else 1)


if __name__ == "__main__":
    main()
