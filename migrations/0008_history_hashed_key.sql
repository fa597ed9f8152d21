-- 0008: the history index is keyed by a 64-bit hash of (board id, player id) and the sequence,
-- instead of (board_id, player_id, sequence) as text. Every applied score inserts one entry at a
-- random place of this index; with the hash each step down the tree compares two bigints instead
-- of two strings, and the entries are smaller. Measured on a 10M-player board: batch ingest went
-- from 57-58k to 65-69k scores/s, server and PostgreSQL CPU per score from ~31 to ~25-26 µs
-- (docs/load-testing.md, "Fifth round"). Pages are still one index range scan per player, in
-- sequence order; the key's hash only narrows the scan, the query compares the ids themselves, so
-- two players whose hashes collide are never mixed up. A newline separates the ids: ids cannot
-- contain control characters, so no two (board, player) pairs give the same text to hash.
-- hashtextextended is the function PostgreSQL's hash partitioning stores by: stable across versions.
-- The statements of HistoryTables.HashedKeySql (src/EventLeaderboard.Server/History); keep them in step.
-- Builds a new index: on a big table this takes a while and holds writes of the table (only the
-- history writer's, which wait; the log keeps every event). Nodes of the older version keep
-- working, but their history pages no longer find an index (they scan the table): upgrade them
-- right after. Re-runnable.

CREATE UNIQUE INDEX IF NOT EXISTS player_history_key
    ON leaderboard.player_history (hashtextextended(board_id || E'\n' || player_id, 0), sequence);
ALTER TABLE leaderboard.player_history DROP CONSTRAINT IF EXISTS player_history_pkey;
