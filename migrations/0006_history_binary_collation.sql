-- 0006: the history index's keys compare bytes (COLLATE "C"), not the database's language rules.
-- Every score adds a row, and each insert descends the primary key comparing board and player ids:
-- with a libc collation such as C.UTF-8 or en_US.UTF-8 each comparison is a strcoll() call; with
-- "C" it is a memcmp. Equality, which is all a history read asks of these columns, is the same.
-- Measured: ~10% more batch ingest on a 10M-player board (docs/load-testing.md).
-- The statements of HistoryTables.CollationSql (src/EventLeaderboard.Server/History); keep them in step.
-- Rebuilds the primary key: on a big table this takes a while and locks it; the index is derived
-- data and the log keeps every event, so writes of the index simply wait. Re-runnable.

ALTER TABLE leaderboard.player_history
    ALTER COLUMN board_id TYPE text COLLATE "C",
    ALTER COLUMN player_id TYPE text COLLATE "C";
