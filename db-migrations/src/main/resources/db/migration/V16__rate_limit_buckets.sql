-- API keys' token buckets shared by every API replica (ENGRAM_RATE_LIMIT_SCOPE=cluster, the prod
-- default; README, "Keys and tenants"). One row per key that has made a request: its bucket's
-- state as Bucket4j serialises it (configuration, tokens, last refill), read and written under the
-- row's lock (SELECT ... FOR UPDATE) in one short transaction per request, so replicas take tokens
-- from the same bucket one after the other. A key's row goes when the key is revoked, or with the
-- key itself. With ENGRAM_RATE_LIMIT_SCOPE=replica the table stays empty.
CREATE TABLE rate_limit_buckets (
    id     bigint PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
    -- NULL between the row's insertion and the bucket's first state (Bucket4j inserts an empty row
    -- to lock, then fills it in the next transaction).
    state  bytea
);
