-- 0002: the project's own tables, in the event store's schema 'leaderboard'.
-- Board snapshots: the statements of SnapshotTables.CreateSql (src/EventLeaderboard.Server/Snapshots).
-- Subscriptions: the statements of SubscriptionSchema (src/EventLeaderboard.Server/Subscriptions).
-- Re-runnable. The schema test (tests/.../Schema) fails when the code creates anything different.

CREATE SCHEMA IF NOT EXISTS leaderboard;

CREATE TABLE IF NOT EXISTS leaderboard.board_snapshots (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    board_id text NOT NULL,
    seq_id bigint NOT NULL,
    node text NOT NULL,
    attempt uuid NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now(),
    players integer NOT NULL,
    size_bytes bigint NOT NULL,
    checksum bigint NOT NULL,
    CONSTRAINT board_snapshots_unique UNIQUE (board_id, seq_id, node, attempt));
CREATE TABLE IF NOT EXISTS leaderboard.board_snapshot_chunks (
    snapshot_id bigint NOT NULL REFERENCES leaderboard.board_snapshots (id) ON DELETE CASCADE,
    chunk_no integer NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (snapshot_id, chunk_no));
ALTER TABLE leaderboard.board_snapshot_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;

CREATE TABLE IF NOT EXISTS leaderboard.sub_messages (
    seq_id bigint PRIMARY KEY, last_sequence bigint NOT NULL, body bytea NOT NULL);
CREATE TABLE IF NOT EXISTS leaderboard.sub_watermark (id int PRIMARY KEY, written_up_to bigint NOT NULL);
INSERT INTO leaderboard.sub_watermark VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS leaderboard.sub_groups (
    name text PRIMARY KEY, boards text[] NOT NULL, kinds text[] NOT NULL,
    ack_timeout_seconds int NOT NULL, max_deliveries int NOT NULL,
    webhook_url text NULL, webhook_secret text NULL,
    cursor bigint NOT NULL, min_sequence bigint NOT NULL, position bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS leaderboard.sub_pending (
    group_name text NOT NULL, id text NOT NULL, ord bigint NOT NULL, sequence bigint NOT NULL,
    board_id text NOT NULL, kind text NOT NULL, data text NOT NULL,
    consumer text NULL, delivery_count int NOT NULL, deadline timestamptz NULL,
    PRIMARY KEY (group_name, id));
CREATE INDEX IF NOT EXISTS sub_pending_queue ON leaderboard.sub_pending (group_name, consumer, ord) WHERE deadline IS NULL;
CREATE INDEX IF NOT EXISTS sub_pending_deadline ON leaderboard.sub_pending (group_name, deadline) WHERE deadline IS NOT NULL;
CREATE TABLE IF NOT EXISTS leaderboard.sub_dead (
    group_name text NOT NULL, id text NOT NULL, ord bigint NOT NULL, sequence bigint NOT NULL,
    board_id text NOT NULL, kind text NOT NULL, data text NOT NULL, delivery_count int NOT NULL,
    dead_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (group_name, id));
CREATE TABLE IF NOT EXISTS leaderboard.sub_consumers (
    group_name text NOT NULL, name text NOT NULL, last_seen timestamptz NOT NULL, PRIMARY KEY (group_name, name));
