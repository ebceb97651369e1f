-- 017_agents.sql — agents (people) who sign in through the deployment's
-- OpenID Connect provider (SPEC §13). The provider says who they are; this
-- table says what they may do: role, and the organisation or caisse of their
-- scope. An agent is known by (issuer, sub) once it has signed in, and by its
-- e-mail address before that (the first sign-in records issuer and sub).

CREATE TABLE agents (
    id             uuid PRIMARY KEY,
    issuer         text,
    sub            text,
    email          text NOT NULL,
    name           text,
    role           text NOT NULL CHECK (role IN ('partner', 'instructor', 'admin')),
    org_id         uuid REFERENCES organisations (id),
    caisse         text,
    active         boolean NOT NULL DEFAULT true,
    last_signin_at timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    -- the scope matches the role, as the tokens of SPEC §3 require
    CHECK ((role = 'partner' AND org_id IS NOT NULL AND caisse IS NULL)
        OR (role = 'instructor' AND caisse IS NOT NULL AND org_id IS NULL)
        OR (role = 'admin' AND org_id IS NULL AND caisse IS NULL)),
    CHECK ((issuer IS NULL) = (sub IS NULL))
);
-- one person, one agent: the e-mail of a first sign-in designates one row only
CREATE UNIQUE INDEX agents_email ON agents (lower(email));
CREATE UNIQUE INDEX agents_identity ON agents (issuer, sub) WHERE sub IS NOT NULL;
CREATE INDEX agents_page ON agents (created_at DESC, id DESC);
