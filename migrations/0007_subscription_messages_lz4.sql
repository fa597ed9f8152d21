-- 0007: the subscription message blobs (sub_messages.body and .rare) compress with lz4, not pglz.
-- A batch event of 1,000 scores makes a ~217 KB body that TOAST compresses to ~77 KB; with pglz
-- that compression alone took about an eighth of both cores during batch ingest on a 10M-player
-- board, and lz4 made batch ingest ~10% faster (docs/load-testing.md). Only new values are stored
-- differently; rows written before stay readable as they are. Where the server has no lz4 (before
-- PostgreSQL 14, or built without it) the columns keep the default and the script still succeeds.
-- The statements of SubscriptionSchema.CompressionSql (src/EventLeaderboard.Server/Subscriptions); keep them in step.
-- Re-runnable. Nodes of the older version may keep running.

DO $lz4$ BEGIN
    EXECUTE 'ALTER TABLE leaderboard.sub_messages ALTER COLUMN body SET COMPRESSION lz4, ALTER COLUMN rare SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'This PostgreSQL has no lz4: the subscription messages keep the default compression';
END $lz4$;
