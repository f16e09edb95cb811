"""The server's SQLite schema (R29.1: one unified database of all appeals and their handling).

Numbered migrations tracked in `PRAGMA user_version`, run by the runner the seat uses too
(`operator_tui.migrate`). Times used in comparisons are stored as UTC ISO strings so that they
sort as text. The PostgreSQL schema, the same tables in PostgreSQL's own SQL, is `schema_pg.py`:
a change to one is made to the other in the same commit.
"""

from __future__ import annotations

import sqlite3

from operator_tui.migrate import migrate_sqlite

_001_INITIAL = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- Bearer tokens: only the sha256 of each is kept (R33.1).
        CREATE TABLE principals (
            id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
            role TEXT NOT NULL, unit TEXT, seat TEXT, created_at TEXT NOT NULL, revoked_at TEXT
        );
        CREATE TABLE seats (code TEXT PRIMARY KEY, name TEXT NOT NULL, principal_id TEXT NOT NULL,
                            enrolled_at TEXT NOT NULL);
        -- R18.2: the append-only history of every ticket, in server sequence order.
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ticket_id TEXT NOT NULL,
            kind TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, seat TEXT NOT NULL,
            at TEXT NOT NULL, applied_at TEXT NOT NULL, received_at TEXT NOT NULL,
            payload TEXT NOT NULL, pushed_by TEXT NOT NULL
        );
        CREATE INDEX events_ticket ON events (ticket_id, seq);
        -- The first answer given to each event id, replayed to any retry (idempotency keys are
        -- kept for good: an outage may last weeks, and they are small).
        CREATE TABLE receipts (
            event_id TEXT PRIMARY KEY, digest TEXT NOT NULL, status TEXT NOT NULL, rule TEXT,
            reason TEXT, seq INTEGER, received_at TEXT NOT NULL, ticket_status TEXT
        ) WITHOUT ROWID;
        -- The projection of each ticket: the fold of its events, plus what queries need.
        CREATE TABLE tickets (
            id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, phone TEXT NOT NULL, seat TEXT NOT NULL,
            status TEXT NOT NULL, appeal_type TEXT NOT NULL, confidential INTEGER NOT NULL,
            matter TEXT NOT NULL, place TEXT NOT NULL, lead_unit TEXT, units TEXT NOT NULL,
            closed INTEGER NOT NULL, clock TEXT, due_at TEXT, overdue INTEGER NOT NULL DEFAULT 0,
            registered_at TEXT NOT NULL, updated_at TEXT NOT NULL, seq INTEGER NOT NULL,
            version INTEGER NOT NULL, data TEXT NOT NULL
        );
        CREATE INDEX tickets_seq ON tickets (seq);
        CREATE INDEX tickets_phone ON tickets (phone);
        CREATE INDEX tickets_open_due ON tickets (closed, due_at);
        CREATE INDEX tickets_cluster ON tickets (matter, place, closed);
        CREATE INDEX tickets_updated ON tickets (updated_at);
        -- Which seat follows which ticket in its change feed (its own tickets).
        CREATE TABLE subscriptions (key TEXT NOT NULL, ticket_id TEXT NOT NULL,
                                    PRIMARY KEY (key, ticket_id)) WITHOUT ROWID;
        -- R34.1: knowledge-base articles, each owned by one unit.
        CREATE TABLE kb_articles (
            id TEXT PRIMARY KEY, owner_unit TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
            tags TEXT NOT NULL, review_at TEXT, valid_until TEXT, version INTEGER NOT NULL,
            seq INTEGER NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL
        );
        CREATE INDEX kb_seq ON kb_articles (seq);
        -- What the sweeps already raised, so a sweep every minute does not supervise every minute.
        CREATE TABLE sweep_marks (ticket_id TEXT NOT NULL, key TEXT NOT NULL, at TEXT NOT NULL,
                                  PRIMARY KEY (ticket_id, key)) WITHOUT ROWID;
"""


# The person behind a token: the staff number (工号) the seat's greeting reads out and every event
# records as its actor (issue 11: the actor comes from the token, never from the OS user).
_002_STAFF_NO = """
        ALTER TABLE principals ADD COLUMN staff_no TEXT;
"""


# Issue 11: the centre-wide lookup (screen pop, F4 find, 催办 candidates; R13.1, R10.1).
# - The appellant's name, address, vulnerable groups and credit-mark count as columns, so a list
#   of summaries is read without unpacking each ticket's JSON; existing rows are filled from it.
# - Name and address fragments of three characters or more are found through an FTS5 trigram
#   index (substrings, any script). It is an external-content index over `tickets` keyed by rowid
#   and kept current by the triggers below (`Tx.put_tickets` updates rows in place, so a rowid
#   never changes); the lookup re-checks every hit against the columns, so a stale entry can
#   never return a wrong ticket. A copy made by a tool that renumbers rowids (VACUUM) rebuilds it
#   with: INSERT INTO ticket_text(ticket_text) VALUES ('rebuild').
# - The phone pop reads (phone, registered_at) from one index, newest first. Date ranges and
#   "newest first" without a phone walk (registered_at, name, address): a one- or two-character
#   name fragment (too short for trigrams) is then checked on the index entries, not on each row
#   (on 1,000,000 tickets: p95 87 ms instead of 617 ms).
_003_LOOKUP = """
        ALTER TABLE tickets ADD COLUMN name TEXT NOT NULL DEFAULT '';
        ALTER TABLE tickets ADD COLUMN address TEXT NOT NULL DEFAULT '';
        ALTER TABLE tickets ADD COLUMN vulnerable TEXT NOT NULL DEFAULT '';
        ALTER TABLE tickets ADD COLUMN credit_marks INTEGER NOT NULL DEFAULT 0;
        UPDATE tickets SET
            name = coalesce(json_extract(data, '$.appellant.name'), ''),
            address = coalesce(json_extract(data, '$.appellant.address'), ''),
            vulnerable = coalesce((SELECT '|' || group_concat(value, '|') || '|'
                                   FROM json_each(data, '$.appellant.vulnerable')), ''),
            credit_marks = coalesce(json_array_length(data, '$.credit_marks'), 0);
        DROP INDEX tickets_phone;
        CREATE INDEX tickets_phone_registered ON tickets (phone, registered_at);
        CREATE INDEX tickets_registered ON tickets (registered_at, name, address);
        CREATE VIRTUAL TABLE ticket_text USING fts5 (name, address, content='tickets', content_rowid='rowid',
                                                    tokenize='trigram');
        INSERT INTO ticket_text (ticket_text) VALUES ('rebuild');
        CREATE TRIGGER ticket_text_insert AFTER INSERT ON tickets BEGIN
            INSERT INTO ticket_text (rowid, name, address) VALUES (new.rowid, new.name, new.address);
        END;
        CREATE TRIGGER ticket_text_delete AFTER DELETE ON tickets BEGIN
            INSERT INTO ticket_text (ticket_text, rowid, name, address) VALUES ('delete', old.rowid, old.name, old.address);
        END;
        CREATE TRIGGER ticket_text_update AFTER UPDATE OF name, address ON tickets
            WHEN old.name IS NOT new.name OR old.address IS NOT new.address BEGIN
            INSERT INTO ticket_text (ticket_text, rowid, name, address) VALUES ('delete', old.rowid, old.name, old.address);
            INSERT INTO ticket_text (rowid, name, address) VALUES (new.rowid, new.name, new.address);
        END;
"""


# Issue 15, R37.1: typical cases for the public page. A supervisor proposes a ticket; the redacted
# text is kept beside the text a reviewer approved (which may be an edit of it), with who did
# what and when. Only `approved` rows are published. No personal data is stored here: the text
# is the redacted one, and the ticket is named by id.
_006_PUBLIC_CASES = """
        CREATE TABLE public_cases (
            id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL UNIQUE, matter TEXT NOT NULL, place TEXT NOT NULL,
            registered_at TEXT NOT NULL, title TEXT NOT NULL, redacted TEXT NOT NULL, text TEXT NOT NULL,
            status TEXT NOT NULL, proposed_by TEXT NOT NULL, proposed_at TEXT NOT NULL,
            decided_by TEXT, decided_at TEXT, reason TEXT NOT NULL DEFAULT '', edited INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX public_cases_status ON public_cases (status, registered_at);
"""


# Issue 15, R31.1: a supervisor's decision on a risk warning (acknowledge or dismiss, with a reason):
# one audited row per warning, so a second decision is refused (409). The actor, role and principal
# come from the token and the time from the server; `warning` keeps the warning as it was decided
# (its counts and evidence numbers, never personal data), so it stays listed after its window.
_005_RISK_DECISIONS = """
        CREATE TABLE risk_decisions (
            warning_id TEXT PRIMARY KEY, decision TEXT NOT NULL, reason TEXT NOT NULL, actor TEXT NOT NULL,
            role TEXT NOT NULL, principal_id TEXT NOT NULL, decided_at TEXT NOT NULL, window_day TEXT NOT NULL,
            warning TEXT NOT NULL
        );
        CREATE INDEX risk_decisions_window ON risk_decisions (window_day);
"""


# Issue 15, R35.1: the rates' facts as columns of the ticket projection (`projection.row_for` fills
# them from `domain/rates.rate_facts`), so that 按时办结率, 解决率, 满意率 and 响应率 over any period are
# SUM/COUNT … GROUP BY over a partial covering index per rate: a year of 1,000,000 tickets in under
# 2 s (scripts/bench_rates.py). The unit follows the day in each index so that the units' report
# groups by (day, unit) in index order, with no sort of a million entries (twice as fast). Days are local 'YYYY-MM-DD' text; NULL means "not counted".
# Existing rows get what SQL can read from their JSON: district, operator and the rating facts (with
# the packaged thresholds, 4 stars); the on-time and response flags need the clocks and the policy,
# so they are filled by `hotline report reproject-rates` (also the command to run after [rates] or
# the limits change).
_004_RATES = """
        ALTER TABLE tickets ADD COLUMN district TEXT NOT NULL DEFAULT '';
        ALTER TABLE tickets ADD COLUMN operator TEXT NOT NULL DEFAULT '';
        ALTER TABLE tickets ADD COLUMN ontime_on TEXT;
        ALTER TABLE tickets ADD COLUMN ontime_met INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tickets ADD COLUMN response_on TEXT;
        ALTER TABLE tickets ADD COLUMN response_met INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tickets ADD COLUMN rated_on TEXT;
        ALTER TABLE tickets ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tickets ADD COLUMN satisfied INTEGER NOT NULL DEFAULT 0;
        UPDATE tickets SET
            district = CASE WHEN instr(place, '.') > 0 THEN substr(place, 1, instr(place, '.') - 1) ELSE place END,
            operator = coalesce(json_extract(data, '$.operator'), '');
        UPDATE tickets SET
            rated_on = date((SELECT json_extract(c.value, '$.at') FROM json_each(data, '$.callbacks') AS c
                             WHERE json_extract(c.value, '$.reached') ORDER BY c.key DESC LIMIT 1), '+8 hours'),
            resolved = json_extract(data, '$.rating.result') >= 4,
            satisfied = json_extract(data, '$.rating.overall') >= 4
        WHERE json_type(data, '$.rating') = 'object'
          AND NOT (coalesce(json_extract(data, '$.rating_dispute'), '') <> '' AND NOT json_extract(data, '$.rating_final'));
        CREATE INDEX tickets_rate_ontime ON tickets (ontime_on, lead_unit, ontime_met, district, matter, operator)
            WHERE ontime_on IS NOT NULL;
        CREATE INDEX tickets_rate_response ON tickets (response_on, lead_unit, response_met, district, matter, operator)
            WHERE response_on IS NOT NULL;
        CREATE INDEX tickets_rate_rated ON tickets (rated_on, lead_unit, resolved, satisfied, district, matter, operator)
            WHERE rated_on IS NOT NULL;
"""


MIGRATIONS: list[str] = [_001_INITIAL, _002_STAFF_NO, _003_LOOKUP, _006_PUBLIC_CASES, _005_RISK_DECISIONS, _004_RATES]


def migrate(conn: sqlite3.Connection) -> int:
    return migrate_sqlite(conn, MIGRATIONS)


def run(conn: sqlite3.Connection, migrations: list[str]) -> int:
    """Apply the migrations `conn`'s database has not had yet (the shared runner, operator_tui/migrate.py:
    each in its own transaction, the version re-checked under BEGIN IMMEDIATE); returns the version reached."""
    return migrate_sqlite(conn, migrations)
