"""One error tree (issue 18): every exception class of the product is in it, under one kind, and
the drawing in operator_tui/domain/errors.py lists each class under the kind it really has, so the
drawing cannot go stale. Invariants raise BrokenInvariant rather than `assert` (gone under -O).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import operator_tui
import server_stub
from operator_tui.domain import errors
from operator_tui.domain.errors import (
    KINDS,
    BadInput,
    BrokenInvariant,
    HotlineError,
    Misconfigured,
    NotFound,
    Refused,
    RuleViolation,
    Unavailable,
    describe,
    kind_of,
)

ROOT = Path(__file__).resolve().parents[1]
# Subclasses of a framework's own exception, answered by that framework: outside the tree on purpose.
FRAMEWORK = {"server_stub.limits.BodyTooLarge"}  # starlette HTTPException: FastAPI answers it (413)
DRAWN = re.compile(r"^\s*(?:│\s*)*[├└]── (\w+)", re.M)


def _modules() -> list:
    found = []
    for pkg in (operator_tui, server_stub):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if info.name.endswith("__main__"):  # running the CLI is not importing it
                continue
            found.append(importlib.import_module(info.name))
    return found


@pytest.fixture(scope="module")
def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a product module, by its dotted name."""
    out = {}
    for module in _modules():
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                out[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return out


def _drawing() -> list[tuple[str, str]]:
    """(class name, the kind it is drawn under), top to bottom."""
    doc = errors.__doc__ or ""
    kinds = {k.__name__ for k in KINDS}
    rows, kind = [], ""
    for name in DRAWN.findall(doc):
        if name in kinds:
            kind = name
        rows.append((name, kind))
    return rows


def test_every_exception_class_of_the_product_is_in_the_tree(exception_classes):
    assert len(exception_classes) > 40  # the walk did import the whole product
    outside = sorted(n for n, c in exception_classes.items() if not issubclass(c, HotlineError) and n not in FRAMEWORK)
    assert not outside, f"exception classes outside operator_tui.domain.errors.HotlineError: {outside}"
    stale = sorted(FRAMEWORK - set(exception_classes))
    assert not stale, f"listed as framework exceptions but gone: {stale}"


def test_every_class_has_one_kind(exception_classes):
    for name, cls in exception_classes.items():
        if name in FRAMEWORK or cls is HotlineError:
            continue
        assert kind_of(cls.__new__(cls)) in KINDS, f"{name} has no kind"


def test_the_drawing_lists_every_class_under_the_kind_it_has(exception_classes):
    drawn = dict(_drawing())
    in_tree = {
        c.__name__: c for c in exception_classes.values() if issubclass(c, HotlineError) and c is not HotlineError
    }
    missing = sorted(set(in_tree) - set(drawn))
    assert not missing, f"not drawn in operator_tui/domain/errors.py: {missing}"
    gone = sorted(set(drawn) - set(in_tree))
    assert not gone, f"drawn but no such class: {gone}"
    wrong = sorted(
        f"{n}: drawn under {drawn[n]}, is {kind.__name__}"
        for n, c in in_tree.items()
        if (kind := kind_of(c.__new__(c))) is not None and c not in KINDS and drawn[n] != kind.__name__
    )
    assert not wrong, wrong
    assert len([n for n, _ in _drawing()]) == len(drawn), "a class is drawn twice"


def test_the_tree_is_drawn_once():
    """Other modules list their errors; only domain/errors.py draws the tree."""
    drawings = sorted(
        str(p.relative_to(ROOT))
        for folder in ("operator_tui", "server_stub")
        for p in (ROOT / folder).rglob("*.py")
        if "├──" in p.read_text(encoding="utf-8")
    )
    assert drawings == ["operator_tui/domain/errors.py"]


def test_the_drawing_names_framework_exceptions_it_leaves_out():
    for name in FRAMEWORK:
        assert name in (errors.__doc__ or ""), f"say in the drawing why {name} is outside the tree"


def test_classes_keep_their_builtin_bases_so_old_handlers_still_catch_them():
    from operator_tui.desk import IntakeInvalid, TicketNotFound
    from operator_tui.domain.policy import PolicyError
    from operator_tui.store.seat_lock import LockBusy

    assert issubclass(IntakeInvalid, ValueError) and issubclass(PolicyError, ValueError)
    assert issubclass(TicketNotFound, LookupError) and issubclass(LockBusy, RuntimeError)
    assert issubclass(BrokenInvariant, AssertionError)


def test_a_second_kind_in_the_bases_does_not_win_over_the_first():
    from operator_tui.cti.boundary import CtiConfigError, CtiLinkDown
    from operator_tui.sync.errors import AuthRejected, Offline, ProtocolError

    assert kind_of(CtiConfigError("x")) is Misconfigured and kind_of(CtiLinkDown("x")) is Unavailable
    assert kind_of(AuthRejected("x")) is Misconfigured and kind_of(Offline("x")) is Unavailable
    assert kind_of(ProtocolError(409, "x")) is Refused
    assert kind_of(RuleViolation("R18.1", "x")) is Refused and kind_of(ValueError("x")) is None


def test_describe_gives_one_line_and_hides_a_bugs_message():
    assert describe(RuleViolation("R22.2", "延期须在\n5 个工作日内申请")) == "R22.2：延期须在；5 个工作日内申请"
    assert describe(BadInput("--db：没有文件")) == "--db：没有文件"
    said = describe(BrokenInvariant("2611020010001: closed without a result"))
    assert "2611020010001" not in said and "BrokenInvariant" in said and "\n" not in said
    assert describe(KeyError("x")).startswith("程序内部错误")
    assert describe(NotFound()) == "NotFound"


@pytest.mark.rule("R18.2")
def test_no_assert_in_product_code():
    """Runtime invariants raise BrokenInvariant: `assert` vanishes under `python -O`, and the
    ingest would no longer tell a bug from an event the rules refuse."""
    found = []
    for folder in ("operator_tui", "server_stub"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.match(r"\s*assert\b", line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, found


@pytest.mark.rule("R18.2")
def test_a_broken_invariant_after_an_event_raises_and_is_not_a_rule_refusal(rules, registered, monkeypatch):
    from operator_tui.domain import workflow

    ticket = registered()
    broken = ticket.model_copy(update={"status": workflow.S.ARCHIVED, "rating": None, "result": "办结"})
    with pytest.raises(BrokenInvariant, match="archived without a callback rating") as raised:
        workflow.check_invariants(broken, rules.taxonomy)
    assert not isinstance(raised.value, RuleViolation)
