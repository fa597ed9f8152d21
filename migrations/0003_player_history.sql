-- 0003: the per-player history index (GET .../players/{playerId}/history).
-- The statements of HistoryTables.CreateSql (src/EventLeaderboard.Server/History).
-- Derived data: rebuilt from the log when lost. Re-runnable.

CREATE TABLE IF NOT EXISTS leaderboard.player_history (
    board_id text NOT NULL,
    player_id text NOT NULL,
    sequence bigint NOT NULL,
    kind smallint NOT NULL,
    score bigint NULL,
    resulting_score bigint NULL,
    submission_id text NULL,
    submitted_by text NULL,
    PRIMARY KEY (board_id, player_id, sequence));
CREATE TABLE IF NOT EXISTS leaderboard.player_history_watermark (id int PRIMARY KEY, indexed_up_to bigint NOT NULL);
INSERT INTO leaderboard.player_history_watermark VALUES (1, 0) ON CONFLICT DO NOTHING;
