"""The `hotline` console entry.

`hotline seat`, which an operator runs at the start of every shift and after every crash, takes a
short path that does not import typer and its click (~35 ms of a ~0.3 s start): its options are
parsed by `seat_start.parse_seat_args` from the same table the typer command mirrors. Everything
else, `hotline seat --help` and any option the table does not know included, goes to the full CLI
(`operator_tui.cli.main`), which gives the usual help and error messages.
"""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    from .domain.errors import HotlineError, describe  # loaded on the seat's path anyway
    from .seat_start import SeatStartError, parse_seat_args, run_seat

    try:
        parsed = parse_seat_args(args)
    except SeatStartError as exc:  # the config file: one line, as for a bad option
        print(f"错误：{exc}", file=sys.stderr)
        sys.exit(2)
    if parsed is None:
        from .cli import main as cli_main

        cli_main(args)
        return
    settings, opts = parsed
    # The start allocates some hundred thousand objects (modules, classes, widgets, styles) and
    # frees almost none: the cyclic collector's passes over them are pure cost, ~10% of the time
    # to the first frame. The app turns it back on once it has finished starting (context_ready).
    gc.disable()
    try:
        run_seat(settings, opts, defer=True)
    except SeatStartError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        sys.exit(2)
    except HotlineError as exc:  # any other of the tree: one line, the CLI's exit code for its kind
        from .cli import exit_code_of  # typer's import cost only when the seat cannot start

        print(f"错误：{describe(exc)}", file=sys.stderr)
        sys.exit(exit_code_of(exc))
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        sys.exit(130)
    finally:
        gc.enable()
    sys.exit(0)
