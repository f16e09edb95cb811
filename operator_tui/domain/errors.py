"""Every error the project raises on purpose, as one tree (the way httpx's `_exceptions.py` draws its own).

An error's *kind* (the second level) decides what every edge does with it: the server's status
code (`server_stub/errors.py`), the CLI's exit code (`operator_tui/cli/__init__.py`) and the seat's
notice (`operator_tui/ui/notices.py`). A class keeps the built-in base it had before the tree
(`+ ValueError`), so an existing `except ValueError` still catches it. The root lives here
because the domain may import nothing outside itself, and every other package may import it.

    HotlineError                     raised on purpose      server    CLI   seat
    ├── BadInput                     a person or another system sent something wrong: 422 · exit 2 · warning
    │   ├── CliError                 + typer.TyperException; a command's own usage error (cli/base.py)
    │   ├── IntakeInvalid            + ValueError; the form, field by field (R19.1; desk.py)
    │   ├── PayloadInvalid           + ValueError; a payload that does not fit its kind (payloads.py)
    │   ├── PeriodError              + ValueError; a period that cannot be read (domain/periods.py)
    │   ├── SeatStartError           + ValueError; a seat option or file (seat_start.py)
    │   ├── CredentialError          + ValueError; a token or CA file (settings.py)
    │   ├── OutboxFileError          an outbox export or import file (store/outbox_file.py)
    │   ├── BackupError              a backup folder or path (server_stub/backup.py)
    │   ├── TransferError            + RuntimeError; `server migrate` source or check (server_stub/transfer.py)
    │   ├── Open311Error             carries its GeoReport code (server_stub/open311/formats.py)
    │   ├── RatesError               + ValueError; a rates query (server_stub/reports/rates.py)
    │   └── _Unreadable              a regex outside the understood syntax; private (domain/regex_first.py)
    ├── NotFound                     nothing by that name or number: 404 · exit 2 · warning
    │   ├── TicketNotFound           + LookupError; no such ticket here or on the server (desk.py)
    │   └── TokenNotFound            + LookupError; no token with that id (server_stub/auth.py)
    ├── Refused                      a rule or the current state refuses it: 409 · exit 2 · warning
    │   ├── RuleViolation            the regulation does not allow it; carries the rule ID: 422 + rule
    │   ├── IdReused                 an event id held with other content (server_stub/ingest.py)
    │   ├── EnrolError               + ValueError; a token that cannot be issued (server_stub/auth.py)
    │   ├── DecisionError            + ValueError; carries its status (server_stub/reports/risks.py)
    │   ├── CaseError                carries its status (server_stub/public/cases.py)
    │   ├── ConversionError          + RuntimeError; encryption left the database as it was (store/encryption.py)
    │   ├── ProtocolError            + SyncError; the server refused a request (sync/errors.py)
    │   └── CtiCommandError          + CtiError; the switch refused a command (cti/boundary.py)
    ├── Unavailable                  offline, locked or busy; try again later: 503 · exit 1 · warning
    │   ├── SyncError                a sync could not complete (sync/errors.py)
    │   │   ├── Offline              the server did not answer
    │   │   └── CursorGone           the server no longer knows the cursor: resync (410)
    │   ├── CtiError                 the phone system (cti/boundary.py)
    │   │   └── CtiLinkDown          the link to the switch is down
    │   ├── LockBusy                 + RuntimeError; another seat holds the database (store/seat_lock.py)
    │   ├── DatabaseUnavailable      the server's PostgreSQL cannot be reached now (server_stub/pg.py)
    │   ├── RatesUnavailable         the rates cannot be fetched now (rates_client.py)
    │   └── RisksUnavailable         the server's risk decisions cannot be read or sent now (risks_client.py)
    ├── Misconfigured                a data, policy or settings file, key or install is unusable: 503 · exit 2 · error
    │   ├── ConfigError              + ValueError; a data file (config.py)
    │   ├── SettingsError            + ValueError; config.toml or a HOTLINE_* variable (settings.py)
    │   ├── TaxonomyError            + ValueError; a taxonomy file (domain/taxonomy.py)
    │   ├── HolidayFileError         + ValueError; the holiday file (domain/workdays.py)
    │   ├── PolicyError              + ValueError; the policy file (domain/policy.py)
    │   ├── RiskPolicyError          + ValueError; policy [risks] (domain/risks.py)
    │   ├── TriageRulesError         + ValueError; the triage rules (domain/triage.py)
    │   ├── KeymapError              + ValueError; the keymap file (ui/app.py)
    │   ├── PublicPolicyError        + ValueError; policy [public] (server_stub/public/policy.py)
    │   ├── ReportsPolicyError       + ValueError; policy [reports] (server_stub/reports/schedule.py)
    │   ├── SchemaTooNew             + RuntimeError; a database from a newer program (migrate.py)
    │   ├── StoreError               + RuntimeError; the seat database cannot be opened (store/db.py)
    │   ├── KeyProblem               + RuntimeError; the database key (store/keys.py)
    │   ├── ClusterError             + RuntimeError; the throwaway PostgreSQL (server_stub/pg_cluster.py)
    │   ├── AuthRejected             + SyncError; the server refused the token
    │   ├── ServerNotTrusted         + SyncError; TLS: the server's certificate
    │   ├── SeatMismatch             + SyncError; the database numbers for another seat
    │   ├── CtiConfigError           + CtiError; the --cti URL or credentials file
    │   └── CtiAuthError             + CtiError; the switch refused the credentials
    └── BrokenInvariant              + AssertionError; a bug, never the caller's fault: 500 logged · exit 70 · error

Framework exceptions stay in their frameworks' trees: `server_stub.limits.BodyTooLarge` is a
Starlette HTTPException (413). A class with two kinds in its bases (a CtiError that is also
Misconfigured) takes the first one in its MRO, as Starlette picks exception handlers.
"""

from __future__ import annotations


class HotlineError(Exception):
    """The root: an error raised on purpose, whose message is one line a person can act on."""


class BadInput(HotlineError):
    """What a person or another system gave is wrong; the message says what to fix."""


class NotFound(HotlineError):
    """Nothing answers to that name or number."""


class Refused(HotlineError):
    """Well-formed, but a rule or the current state refuses it."""


class Unavailable(HotlineError):
    """Something needed (the server, the switch, the database lock) is not there now; retrying may work."""


class Misconfigured(HotlineError):
    """A data, policy or settings file, a key or the installation is unusable; whoever set it up fixes it."""


class BrokenInvariant(HotlineError, AssertionError):
    """Something that must always hold did not: a bug in this program, never the caller's fault.
    Raised where an `assert` was (asserts vanish under `python -O`), so it fails the same way in
    production as in tests."""


KINDS: tuple[type[HotlineError], ...] = (BadInput, NotFound, Refused, Unavailable, Misconfigured, BrokenInvariant)


def kind_of(exc: BaseException) -> type[HotlineError] | None:
    """The kind that decides how `exc` is answered: the first kind in its MRO, or None for an
    exception outside the tree (which every edge treats as a bug)."""
    for cls in type(exc).__mro__:
        if cls in KINDS:
            return cls
    return None


def describe(exc: BaseException) -> str:
    """One line for a person (the CLI's stderr, the seat's notice). A bug's own message may hold
    a ticket's data and says nothing the person can act on, so it is named by its type only."""
    if isinstance(exc, RuleViolation):
        return _one_line(f"{exc.rule}：{exc.message}")
    if isinstance(exc, HotlineError) and not isinstance(exc, BrokenInvariant):
        return _one_line(str(exc)) or type(exc).__name__
    return f"程序内部错误（{type(exc).__name__}），不是您的操作或输入有误；请把这一行告诉维护人员"


def _one_line(text: str) -> str:
    return "；".join(part.strip() for part in text.splitlines() if part.strip())


class RuleViolation(Refused):
    """An event the regulation does not allow. `rule` is the rule ID (REQUIREMENTS.md)."""

    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
