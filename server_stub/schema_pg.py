"""The server's schema on PostgreSQL: the tables of `schema.py` in PostgreSQL's own SQL.

Run by the same runner as every other schema (`operator_tui.migrate`), with the PostgreSQL
dialect of `pg.py` (an advisory lock, the version in `schema_version`). PostgreSQL databases
start at this schema, so migration 1 is the SQLite schema after its migrations 1–3; the next
change is migration 2 here and migration 4 there, in the same commit.

What is different from SQLite, and why:
- Flags stay INTEGER 0/1 and the unit list stays '|a|b|' text, so the queries in `storage.py`
  are the same text on both engines.
- Columns that are compared or sorted as text (ids, ISO times) are `COLLATE "C"`: code-point
  order, as SQLite compares, whatever the database's default collation.
- Name and address fragments are found through pg_trgm GIN indexes, which serve `LIKE '%…%'`
  directly (no separate full-text table and no triggers, unlike SQLite's FTS5 `ticket_text`).
  pg_trgm makes trigrams of CJK text only in a database whose LC_CTYPE knows it (C.UTF-8,
  zh_CN.UTF-8, en_US.UTF-8 …); the migration refuses a database that is not UTF8.
- The read audit (R33.1) is a table here, not a second file: one database to back up, replicate
  and fail over. Its rows are committed with synchronous_commit=off and outside the writers'
  lock (pg.py), the same trade as the separate SQLite file makes.
"""

from __future__ import annotations

_001_INITIAL = """
DO $$ BEGIN
    IF pg_encoding_to_char((SELECT encoding FROM pg_database WHERE datname = current_database())) <> 'UTF8' THEN
        RAISE EXCEPTION 'the hotline database must be UTF8 (CREATE DATABASE … ENCODING ''UTF8'' LC_CTYPE ''C.UTF-8'')';
    END IF;
END $$;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE principals (
    id TEXT COLLATE "C" PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    role TEXT NOT NULL, unit TEXT, seat TEXT, created_at TEXT COLLATE "C" NOT NULL, revoked_at TEXT,
    staff_no TEXT
);
CREATE TABLE seats (code TEXT PRIMARY KEY, name TEXT NOT NULL, principal_id TEXT NOT NULL,
                    enrolled_at TEXT NOT NULL);
CREATE TABLE events (
    seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, ticket_id TEXT NOT NULL,
    kind TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, seat TEXT NOT NULL,
    at TEXT NOT NULL, applied_at TEXT NOT NULL, received_at TEXT NOT NULL,
    payload TEXT NOT NULL, pushed_by TEXT NOT NULL
);
CREATE INDEX events_ticket ON events (ticket_id, seq);
CREATE TABLE receipts (
    event_id TEXT PRIMARY KEY, digest TEXT NOT NULL, status TEXT NOT NULL, rule TEXT,
    reason TEXT, seq BIGINT, received_at TEXT NOT NULL, ticket_status TEXT
);
CREATE TABLE tickets (
    id TEXT COLLATE "C" PRIMARY KEY, number TEXT NOT NULL UNIQUE, phone TEXT NOT NULL, seat TEXT NOT NULL,
    status TEXT NOT NULL, appeal_type TEXT NOT NULL, confidential INTEGER NOT NULL,
    matter TEXT NOT NULL, place TEXT NOT NULL, lead_unit TEXT, units TEXT NOT NULL,
    closed INTEGER NOT NULL, clock TEXT, due_at TEXT COLLATE "C", overdue INTEGER NOT NULL DEFAULT 0,
    registered_at TEXT COLLATE "C" NOT NULL, updated_at TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL,
    version INTEGER NOT NULL, data TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '',
    vulnerable TEXT NOT NULL DEFAULT '', credit_marks INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_seq ON tickets (seq);
CREATE INDEX tickets_phone_registered ON tickets (phone, registered_at);
CREATE INDEX tickets_open_due ON tickets (closed, due_at);
CREATE INDEX tickets_cluster ON tickets (matter, place, closed);
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX tickets_registered ON tickets (registered_at, id);
CREATE INDEX tickets_name_trgm ON tickets USING gin (name gin_trgm_ops);
CREATE INDEX tickets_address_trgm ON tickets USING gin (address gin_trgm_ops);
CREATE TABLE subscriptions (key TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (key, ticket_id));
CREATE TABLE kb_articles (
    id TEXT PRIMARY KEY, owner_unit TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
    tags TEXT NOT NULL, review_at TEXT, valid_until TEXT, version INTEGER NOT NULL,
    seq BIGINT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL
);
CREATE INDEX kb_seq ON kb_articles (seq);
CREATE TABLE sweep_marks (ticket_id TEXT NOT NULL, key TEXT NOT NULL, at TEXT NOT NULL,
                          PRIMARY KEY (ticket_id, key));
CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, principal_id TEXT NOT NULL, role TEXT NOT NULL,
    ticket_id TEXT NOT NULL, number TEXT NOT NULL, purpose TEXT NOT NULL, endpoint TEXT NOT NULL
);
CREATE INDEX audit_ticket ON audit (ticket_id, id);
"""


# Issue 15, R37.1: typical cases for the public page. A supervisor proposes a ticket; the redacted
# text is kept beside the text a reviewer approved (which may be an edit of it), with who did
# what and when. Only `approved` rows are published. No personal data is stored here: the text
# is the redacted one, and the ticket is named by id.
_006_PUBLIC_CASES = """
        CREATE TABLE public_cases (
            id TEXT COLLATE "C" PRIMARY KEY, ticket_id TEXT NOT NULL UNIQUE, matter TEXT NOT NULL, place TEXT NOT NULL,
            registered_at TEXT COLLATE "C" NOT NULL, title TEXT NOT NULL, redacted TEXT NOT NULL, text TEXT NOT NULL,
            status TEXT NOT NULL, proposed_by TEXT NOT NULL, proposed_at TEXT NOT NULL,
            decided_by TEXT, decided_at TEXT, reason TEXT NOT NULL DEFAULT '', edited INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX public_cases_status ON public_cases (status, registered_at);
"""

# Issue 15, R31.1: decisions on risk warnings (SQLite's _005_RISK_DECISIONS; see there).
_005_RISK_DECISIONS = """
CREATE TABLE risk_decisions (
    warning_id TEXT COLLATE "C" PRIMARY KEY, decision TEXT NOT NULL, reason TEXT NOT NULL, actor TEXT NOT NULL,
    role TEXT NOT NULL, principal_id TEXT NOT NULL, decided_at TEXT COLLATE "C" NOT NULL,
    window_day TEXT COLLATE "C" NOT NULL, warning TEXT NOT NULL
);
CREATE INDEX risk_decisions_window ON risk_decisions (window_day);
"""


# Issue 15, R35.1: the rates' facts as columns (schema.py _004_RATES says why); existing rows get
# district, operator and the rating facts from their JSON, the rest from `hotline report reproject-rates`.
_004_RATES = """
ALTER TABLE tickets ADD COLUMN district TEXT NOT NULL DEFAULT '',
    ADD COLUMN operator TEXT NOT NULL DEFAULT '',
    ADD COLUMN ontime_on TEXT COLLATE "C", ADD COLUMN ontime_met INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN response_on TEXT COLLATE "C", ADD COLUMN response_met INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN rated_on TEXT COLLATE "C", ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN satisfied INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET district = split_part(place, '.', 1), operator = coalesce(data::jsonb->>'operator', '');
UPDATE tickets SET
    rated_on = to_char(((SELECT (c.value->>'at')::timestamptz
                         FROM jsonb_array_elements(data::jsonb->'callbacks') WITH ORDINALITY AS c(value, i)
                         WHERE (c.value->>'reached')::boolean ORDER BY c.i DESC LIMIT 1)
                        AT TIME ZONE 'Asia/Shanghai')::date, 'YYYY-MM-DD'),
    resolved = ((data::jsonb->'rating'->>'result')::int >= 4)::int,
    satisfied = ((data::jsonb->'rating'->>'overall')::int >= 4)::int
WHERE jsonb_typeof(data::jsonb->'rating') = 'object'
  AND NOT (coalesce(data::jsonb->>'rating_dispute', '') <> '' AND NOT coalesce((data::jsonb->>'rating_final')::boolean, false));
CREATE INDEX tickets_rate_ontime ON tickets (ontime_on, lead_unit, ontime_met, district, matter, operator)
    WHERE ontime_on IS NOT NULL;
CREATE INDEX tickets_rate_response ON tickets (response_on, lead_unit, response_met, district, matter, operator)
    WHERE response_on IS NOT NULL;
CREATE INDEX tickets_rate_rated ON tickets (rated_on, lead_unit, resolved, satisfied, district, matter, operator)
    WHERE rated_on IS NOT NULL;
"""


# Issue 17: each server process remembers the tokens it has checked (principal_cache.py) and
# forgets them when it hears this channel, which every change of `principals` notifies, however
# it is made (the API, `hotline server token revoke`, a restore, SQL by hand). NOTIFY is
# transactional: it is heard when the change commits, not before.
PRINCIPALS_CHANNEL = "hotline_principals"
_007_PRINCIPALS_NOTIFY = f"""
CREATE FUNCTION hotline_principals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{PRINCIPALS_CHANNEL}', '');
    RETURN NULL;
END $$;
CREATE TRIGGER principals_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON principals
    FOR EACH STATEMENT EXECUTE FUNCTION hotline_principals_changed();
"""


MIGRATIONS: list[str] = [_001_INITIAL, _006_PUBLIC_CASES, _005_RISK_DECISIONS, _004_RATES, _007_PRINCIPALS_NOTIFY]
