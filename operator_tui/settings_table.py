"""Every setting of the seat, the CLI and the server, declared once (issue 18).

Each row says what a setting is called, how it is given (environment variable, command-line
option, key of `<config_dir>/config.toml`), its default and what it is for. Everything that spells a
`HOTLINE_*` name takes it from `ENV` here, so there is one spelling; the README's settings table is
generated from `SETTINGS` (`python -m operator_tui.settings --markdown`) and a test keeps the two
equal.

Resolution order, for every setting that has the ways: command-line option > environment variable >
config file > default (`operator_tui.settings.Settings.resolve`).

Scope: `seat` (the seat and the seat-side commands), `server` (`hotline server …`, the server-side
reports), `both`, `test` (hooks for benchmarks and tests; not for production).

Secrets (tokens, passwords, the database key) have no config-file key: they come from the
environment or from a 0600 file named by another setting, never from a file that is shared or
backed up with the configuration.

Imported on the seat's start-up path: nothing but the standard library's dataclasses here.
"""

from __future__ import annotations

from dataclasses import dataclass

SCOPES = ("seat", "server", "both", "test")


@dataclass(frozen=True)
class Setting:
    name: str  # the field of `Settings` (and the config-file key, when there is one)
    env: str  # the environment variable
    cli: tuple[str, ...] = ()  # command-line options that set it (on the commands that take it)
    key: str | None = None  # key in config.toml; None: not read from the file (secrets, test hooks)
    default: str = "—"  # what applies when nothing is given, in words
    scope: str = "seat"
    doc: str = ""  # what it is for


SETTINGS: tuple[Setting, ...] = (
    # where things are
    Setting(
        "config_dir",
        "HOTLINE_CONFIG_DIR",
        (),
        None,
        "platform user config dir (`~/.config/hotline`)",
        "both",
        "Folder of `config.toml` and `keymap.toml`. Cannot be set in the file it locates.",
    ),
    Setting(
        "db",
        "HOTLINE_DB",
        ("--db",),
        "db",
        "platform user data dir / `seat.db`",
        "seat",
        "The seat's SQLite database (made by `hotline db init`).",
    ),
    Setting(
        "keymap",
        "HOTLINE_KEYMAP",
        (),
        "keymap",
        "`<config_dir>/keymap.toml`",
        "seat",
        'Key remapping: a `[keys]` table of binding id = "key,key".',
    ),
    # who and how the seat connects
    Setting(
        "operator",
        "HOTLINE_OPERATOR",
        ("--operator",),
        "operator",
        "the token's person, else the OS user",
        "seat",
        "Operator id recorded on events when the token names nobody.",
    ),
    Setting(
        "role",
        "HOTLINE_ROLE",
        ("--role",),
        "role",
        "`operator`",
        "seat",
        "The seat's role: operator, supervisor or admin.",
    ),
    Setting(
        "server",
        "HOTLINE_SERVER",
        ("--server",),
        "server",
        "none (the seat works alone)",
        "seat",
        "Server URL to sync with, e.g. `https://hotline.example:8890`.",
    ),
    Setting(
        "token", "HOTLINE_TOKEN", ("--token",), None, "none", "seat", "This seat's token (secret: prefer `token_file`)."
    ),
    Setting(
        "token_file",
        "HOTLINE_TOKEN_FILE",
        ("--token-file",),
        "token_file",
        "none",
        "seat",
        "A 0600 file holding the token.",
    ),
    Setting(
        "ca_file",
        "HOTLINE_CA_FILE",
        ("--ca-file",),
        "ca_file",
        "the system's CAs",
        "seat",
        "PEM file with the centre's CA certificate, for an https server.",
    ),
    Setting(
        "db_key",
        "HOTLINE_DB_KEY",
        (),
        None,
        "none",
        "seat",
        "Key of an encrypted seat database, 64 hex digits (secret).",
    ),
    Setting(
        "key_file",
        "HOTLINE_DB_KEY_FILE",
        ("--key-file",),
        "key_file",
        "the OS keyring",
        "seat",
        "A 0600 file holding the encrypted database's key.",
    ),
    # the phone system
    Setting(
        "cti",
        "HOTLINE_CTI",
        ("--cti",),
        "cti",
        "none (no phone system)",
        "seat",
        "Phone system link: `freeswitch://host:8021?agent=…` or `asterisk://host:5038?…`.",
    ),
    Setting(
        "cti_user", "HOTLINE_CTI_USER", (), "cti_user", "none", "seat", "User name for the phone system (Asterisk AMI)."
    ),
    Setting(
        "cti_password",
        "HOTLINE_CTI_PASSWORD",
        (),
        None,
        "none",
        "seat",
        "Password for the phone system (secret: prefer `cti_secret_file`).",
    ),
    Setting(
        "cti_secret_file",
        "HOTLINE_CTI_SECRET_FILE",
        (),
        "cti_secret_file",
        "none",
        "seat",
        "A 0600 file with `user = …` and `password = …` for the phone system.",
    ),
    # the rules
    Setting(
        "triage_rules",
        "HOTLINE_TRIAGE_RULES",
        ("--rules",),
        "triage_rules",
        "the packaged rules",
        "seat",
        "A site's own emergency triage rules file.",
    ),
    # policy and holidays: every rules loader of the process reads them (the seat, the server, the
    # reports), most without settings in hand, so they are environment-only until those loaders are
    # handed the settings; a config-file key read by some loaders and not others would split the rules.
    Setting(
        "policy",
        "HOTLINE_POLICY",
        (),
        None,
        "the packaged `policy.toml`",
        "both",
        "A site's policy file (time limits, tolerances, reports, the public page). Environment only.",
    ),
    Setting(
        "holidays",
        "HOTLINE_HOLIDAYS",
        ("--holidays",),
        None,
        "the packaged holiday file",
        "both",
        "A site's holiday file (TOML), merged date by date over the packaged one. Environment only.",
    ),
    # the server
    Setting(
        "server_db",
        "HOTLINE_SERVER_DB",
        ("--db",),
        "server_db",
        "platform user data dir / `server.db`",
        "server",
        "The server's database: a SQLite file or a `postgresql://` URL (`hotline server …`, reports).",
    ),
    Setting(
        "tls_cert",
        "HOTLINE_TLS_CERT",
        ("--tls-cert",),
        "tls_cert",
        "none (plain http)",
        "server",
        "The server's TLS certificate (PEM).",
    ),
    Setting(
        "tls_key",
        "HOTLINE_TLS_KEY",
        ("--tls-key",),
        "tls_key",
        "none",
        "server",
        "The TLS certificate's private key (PEM).",
    ),
    Setting(
        "reports_dir",
        "HOTLINE_REPORTS_DIR",
        ("--reports-dir",),
        "reports_dir",
        "none (scheduled reports off)",
        "server",
        "Folder the scheduled periodic reports are written to.",
    ),
    # hooks for tests and benchmarks
    Setting(
        "ready_file",
        "HOTLINE_READY_FILE",
        (),
        None,
        "none",
        "test",
        'The seat writes the wall time of its first frame (and of "complete") here (`scripts/bench_seat.py`).',
    ),
    Setting(
        "ready_exit",
        "HOTLINE_READY_EXIT",
        (),
        None,
        "none",
        "test",
        "With `ready_file`: the seat exits once it has finished starting.",
    ),
    Setting(
        "pg_bin",
        "HOTLINE_PG_BIN",
        (),
        None,
        "`/usr/lib/postgresql/15/bin`",
        "test",
        "PostgreSQL binaries for the throwaway test cluster.",
    ),
    Setting(
        "requirements",
        "HOTLINE_REQUIREMENTS",
        (),
        None,
        "`../shared/spec/REQUIREMENTS.md`",
        "test",
        "REQUIREMENTS.md for `scripts/rule_coverage.py`.",
    ),
    Setting(
        "chromium",
        "HOTLINE_CHROMIUM",
        (),
        None,
        "`/usr/bin/chromium`",
        "test",
        "Chromium for the public page's browser tests.",
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
# name → environment variable: `envvar=ENV["db"]` in a typer option, `ENV["policy"]` in a message
ENV: dict[str, str] = {s.name: s.env for s in SETTINGS}
# config-file key → setting, for the keys the file may hold
FILE_KEYS: dict[str, Setting] = {s.key: s for s in SETTINGS if s.key}


def markdown() -> str:
    """The README's settings table (between its settings-table markers), one row per setting."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| setting | environment | option | config.toml key | default | scope | what for |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        options = ", ".join(f"`{o}`" for o in s.cli) or "—"
        key = f"`{s.key}`" if s.key else "—"
        lines.append(f"| {s.name} | `{s.env}` | {options} | {key} | {cell(s.default)} | {s.scope} | {cell(s.doc)} |")
    return "\n".join(lines) + "\n"
