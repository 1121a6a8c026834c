-- Tenants and API keys (README, "Keys and tenants"). Every collection belongs to a tenant, and with
-- it everything kept per collection: documents and chunks, sessions and their turns, memory facts,
-- logged queries, evaluation runs, model versions, studies, drift reports (and rollouts). Existing
-- data belongs to the tenant 'default'. (V13 is reserved for rollouts.)

CREATE TABLE tenants (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tenants (id) VALUES ('default');

-- A collection is stored under its key: its name for the default tenant (so existing collections,
-- workflow ids, schedules and labels keep theirs), '<tenant>~<name>' for any other tenant. Every
-- statement that names a collection therefore names one tenant's collection, and workflow ids made
-- from a collection (ingest-<collection>-…, retrain-<collection>) differ between tenants. A key
-- never changes, so each table that holds one derives its tenant from it (io.engram.core.tenant.Tenant
-- is the same rule in Java).
CREATE FUNCTION engram_tenant(collection text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CASE WHEN strpos(collection, '~') > 0
                      THEN split_part(collection, '~', 1) ELSE 'default' END $$;

ALTER TABLE collections DROP CONSTRAINT collections_name_check;
ALTER TABLE collections ADD CONSTRAINT collections_name_check
    CHECK (name ~ '^([a-z0-9][a-z0-9_-]{0,31}~)?[a-z0-9][a-z0-9_.-]{0,62}$'
           AND name !~ '^default~');
ALTER TABLE collections
    ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(name)) STORED REFERENCES tenants (id);
CREATE INDEX collections_tenant ON collections (tenant);

-- The tenant of each row that a caller may name by its own id (a session, a logged query, an
-- evaluation run, a study, a drift report) or that tenancy is checked on; derived, so no writer can
-- get it wrong or forget it. Chunks, turns and the ingestion tables belong to a tenant through
-- their document, session or collection.
ALTER TABLE documents      ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
ALTER TABLE sessions       ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
ALTER TABLE episodic_facts ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
ALTER TABLE semantic_facts ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
ALTER TABLE query_log      ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
ALTER TABLE eval_runs      ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
ALTER TABLE model_versions ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
ALTER TABLE studies        ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
ALTER TABLE drift_reports  ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;

-- A user's episodic facts span the user's sessions, within one tenant: the same user id in two
-- tenants is two people.
DROP INDEX episodic_facts_user;
CREATE INDEX episodic_facts_user ON episodic_facts (tenant, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX drift_reports_tenant ON drift_reports (tenant, created_at DESC);

-- The seam for rollouts (V13, on another branch): a rollout belongs to its collection's tenant.
-- V13 runs before this migration, so when its table is there it gets its tenant column here.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'rollouts'
                 AND column_name = 'collection') THEN
        ALTER TABLE rollouts
            ADD COLUMN tenant text GENERATED ALWAYS AS (engram_tenant(collection)) STORED;
    END IF;
END
$$;

-- Uploaded blobs are shared storage (one copy per content), but a tenant sees and references only
-- those it uploaded itself: asking which hashes are missing must not tell one tenant what another
-- holds, and an ingestion or evaluation may only name the caller's own uploads.
CREATE TABLE blob_tenants (
    tenant      text NOT NULL REFERENCES tenants (id),
    sha256      text NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, sha256)
);
INSERT INTO blob_tenants (tenant, sha256) SELECT 'default', sha256 FROM blobs;

-- API keys. A key is a random token (prefix 'engram_' and 40 base62 characters, 238 bits) shown
-- once when it is created; only its SHA-256 is kept. A fast hash is the right one for tokens of
-- this entropy: nothing can be guessed, and a slow password hash would only add latency to every
-- request.
CREATE TABLE api_keys (
    id            bigserial PRIMARY KEY,
    tenant        text NOT NULL REFERENCES tenants (id),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scopes        text[] NOT NULL
                  CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['query', 'ingest', 'admin']),
    -- The token's first characters, so a person can tell keys apart in a list; useless alone.
    hint          text NOT NULL,
    token_sha256  text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    -- Who made it: 'key <id>' of an admin key, 'database' for the bootstrap command, 'loopback'.
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant, id);
