-- 0005: per sub_messages row, the mask of the message kinds it holds (bit n for kind n, see
-- MessageKind) and its rare messages (all but score.submitted and rank.changed) stored apart, so a
-- group filtered by kind skips rows with none of its kinds and reads only the rare part of a big
-- batch row. Rows written before get -1 (every kind): every group reads them as before.
-- The statements of SubscriptionSchema.KindsSql (src/EventLeaderboard.Server/Subscriptions); keep them in step.
-- Re-runnable. Nodes of the older version may keep running: they write rows with the default mask.

ALTER TABLE leaderboard.sub_messages ADD COLUMN IF NOT EXISTS kinds int NOT NULL DEFAULT -1;
ALTER TABLE leaderboard.sub_messages ADD COLUMN IF NOT EXISTS rare bytea NULL;
