-- 001_schema.sql — organisations, API clients, dossiers and their history,
-- messages, deadlines (echeances), alerts, webhooks and the audit journal.
--
-- Conventions: ids are UUIDs assigned by the API (so that a 202 can name the id
-- before the worker persists anything); every mutable resource has a version
-- for If-Match; instants are timestamptz, calendar dates are date.

CREATE TABLE organisations (
    id               uuid PRIMARY KEY,
    seq              bigserial NOT NULL,
    name             text NOT NULL,
    kind             text NOT NULL,
    siret            text,
    finess           text,
    caisse           text NOT NULL,
    ame_habilitation boolean NOT NULL DEFAULT false,
    convention       jsonb NOT NULL,
    referent         jsonb,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX organisations_page ON organisations (created_at DESC, seq DESC);
CREATE INDEX organisations_caisse ON organisations (caisse);

-- API clients of partner software: the secret is stored only as a slow hash.
CREATE TABLE api_clients (
    client_id   text PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations (id),
    secret_hash text NOT NULL,
    name        text,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE TABLE dossiers (
    id              uuid PRIMARY KEY,
    seq             bigint NOT NULL,  -- ingest order: from the stream id of the creating entry
    reference       text NOT NULL,  -- unique by construction (a Redis counter per day)
    org_id          uuid NOT NULL,
    caisse          text NOT NULL,
    prestation      text NOT NULL,
    first_request   boolean NOT NULL DEFAULT false,
    status          text NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    applicant       jsonb NOT NULL,
    situation       jsonb NOT NULL DEFAULT '{}',
    pieces          jsonb NOT NULL DEFAULT '[]',
    consent         jsonb NOT NULL,
    deposited_on    date,          -- as sent by the partner
    received_on     date,          -- Europe/Paris date of the caisse's receipt
    received_at     timestamptz,
    decided_on      date,
    pieces_requested jsonb,        -- the open request_pieces, if any
    pre_instruction jsonb,
    decision        jsonb,
    rights          jsonb,
    simulation      jsonb,
    submitted_by    text NOT NULL, -- sub of the partner's token
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    purged_at       timestamptz
);
-- Keyset pages, newest first, within each scope.
CREATE INDEX dossiers_org_page ON dossiers (org_id, created_at DESC, seq DESC);
CREATE INDEX dossiers_caisse_page ON dossiers (caisse, created_at DESC, seq DESC);
CREATE INDEX dossiers_page ON dossiers (created_at DESC, seq DESC);
CREATE INDEX dossiers_reference ON dossiers (reference);

-- The dossier's history: append-only, never rewritten.
CREATE TABLE dossier_events (
    id          bigserial PRIMARY KEY,
    dossier_id  uuid NOT NULL REFERENCES dossiers (id),
    at          timestamptz NOT NULL,
    actor       jsonb NOT NULL,
    from_status text,
    to_status   text,
    detail      jsonb
);
CREATE INDEX dossier_events_dossier ON dossier_events (dossier_id, id);

-- Messages between the partner and the caisse on a dossier. seq orders them as
-- they were sent: the stream id of the entry that carried them (or the commit
-- order for messages written directly by an instructor).
CREATE TABLE dossier_messages (
    id          uuid PRIMARY KEY,
    dossier_id  uuid NOT NULL REFERENCES dossiers (id),
    seq         numeric(30, 0) NOT NULL,
    author      jsonb NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX dossier_messages_order ON dossier_messages (dossier_id, seq, id);

-- Stream entries already applied, so that a redelivered entry changes nothing.
CREATE TABLE applied_entries (
    entry_id    uuid PRIMARY KEY,
    stream_id   text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- Deadlines ("échéances"; the table is named deadlines since 019_deadlines.sql):
-- one row per (object, clock). next_fire_at is the instant the next threshold
-- (warning lead or breach) is reached, NULL once nothing is left to fire or
-- while the deadline is suspended or stopped, so the scanner's partial index
-- holds only deadlines that still have something to say.
CREATE TABLE echeances (
    id              bigserial PRIMARY KEY,
    object_type     text NOT NULL,
    object_id       uuid NOT NULL,
    org_id          uuid NOT NULL,
    caisse          text NOT NULL,
    clock           text NOT NULL,
    started_on      date,            -- day the current count starts from
    started_at      timestamptz,     -- instant the current count starts from (hour clocks)
    due_at          timestamptz NOT NULL,
    suspended_days  integer NOT NULL DEFAULT 0,
    suspended_on    date,            -- set while suspended (pieces_demandees)
    stopped_at      timestamptz,     -- set when the clock stops (met or breached)
    fired_rank      integer NOT NULL DEFAULT 0,
    next_fire_at    timestamptz,
    UNIQUE (object_type, object_id, clock)
);
CREATE INDEX echeances_to_fire ON echeances (next_fire_at) WHERE next_fire_at IS NOT NULL;

CREATE TABLE alerts (
    id          uuid PRIMARY KEY,
    object_type text NOT NULL,
    object_id   uuid NOT NULL,
    org_id      uuid NOT NULL,
    caisse      text NOT NULL,
    clock       text NOT NULL,
    level       text NOT NULL,       -- warning | breach
    lead        text,                -- ISO 8601 duration of a warning, NULL for a breach
    due_at      timestamptz NOT NULL,
    fired_at    timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- exactly once per (object, clock, threshold, due time): the database says so
    UNIQUE NULLS NOT DISTINCT (object_type, object_id, clock, level, lead, due_at)
);
CREATE INDEX alerts_org_page ON alerts (org_id, fired_at DESC, id DESC);
CREATE INDEX alerts_caisse_page ON alerts (caisse, fired_at DESC, id DESC);
CREATE INDEX alerts_page ON alerts (fired_at DESC, id DESC);

CREATE TABLE webhooks (
    id          uuid PRIMARY KEY,
    org_id      uuid,                -- partner webhook
    caisse      text,                -- instructor webhook
    owner_sub   text NOT NULL,
    url         text NOT NULL,
    events      text[] NOT NULL,
    secret      text NOT NULL,       -- needed to sign; never returned after creation
    state       text NOT NULL DEFAULT 'active', -- active | failing | deleted
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    deleted_at  timestamptz,
    CHECK (org_id IS NOT NULL OR caisse IS NOT NULL)
);
CREATE INDEX webhooks_org ON webhooks (org_id) WHERE deleted_at IS NULL;
CREATE INDEX webhooks_caisse ON webhooks (caisse) WHERE deleted_at IS NULL;

-- An event to deliver: its id is the webhook-id header, stable across retries.
CREATE TABLE webhook_events (
    id          uuid PRIMARY KEY,
    type        text NOT NULL,
    org_id      uuid,
    caisse      text,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- One delivery job per (webhook, event); retried on the real clock.
CREATE TABLE webhook_jobs (
    webhook_id      uuid NOT NULL REFERENCES webhooks (id),
    event_id        uuid NOT NULL REFERENCES webhook_events (id),
    state           text NOT NULL DEFAULT 'pending', -- pending | delivered | failed
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_jobs_due ON webhook_jobs (next_attempt_at) WHERE state = 'pending';

CREATE TABLE webhook_deliveries (
    id          bigserial PRIMARY KEY,
    webhook_id  uuid NOT NULL REFERENCES webhooks (id),
    event_id    uuid NOT NULL,
    event_type  text NOT NULL,
    attempt     integer NOT NULL,
    at          timestamptz NOT NULL,
    status_code integer,
    latency_ms  integer,
    error       text,
    next_attempt_at timestamptz
);
CREATE INDEX webhook_deliveries_page ON webhook_deliveries (webhook_id, id DESC);

-- RGPD audit journal (SPEC §10): who read or wrote whose data, from where.
CREATE TABLE audit_journal (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    sub         text NOT NULL,
    role        text NOT NULL,
    org_id      uuid,
    caisse      text,
    action      text NOT NULL,
    object_type text NOT NULL,
    object_id   text,
    remote_addr text
);
CREATE INDEX audit_journal_page ON audit_journal (id DESC);
