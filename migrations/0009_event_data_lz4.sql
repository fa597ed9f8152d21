-- 0009: the event log's bodies (Marten's mt_events.data) compress with lz4, not pglz.
-- A batch event of 1,000 scores is ~75 KB of JSON, which TOAST compresses on every append; with
-- pglz that was about 4% of all CPU during batch ingest on a 10M-player board (docs/load-testing.md,
-- "Fifth round"). Only new values are stored differently; events written before stay readable as
-- they are, and Marten neither sets nor checks a column's compression. Where the server has no lz4
-- (before PostgreSQL 14, or built without it) the column keeps the default and the script still succeeds.
-- The statements of SchemaGuard.EventDataCompressionSql (src/EventLeaderboard.Server/Schema); keep them in step.
-- Re-runnable. Nodes of the older version may keep running.

DO $lz4$ BEGIN
    EXECUTE 'ALTER TABLE leaderboard.mt_events ALTER COLUMN data SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'This PostgreSQL has no lz4: leaderboard.mt_events keeps the default compression';
END $lz4$;
