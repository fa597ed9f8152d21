-- 0004: subscription pending entries as ranges (one row per board per read instead of one per
-- message), converting the rows of 0002's sub_pending (each becomes a one-message range, so nothing
-- pending is lost), and sub_messages.written_at for retention.
-- The statements of SubscriptionSchema.RangesSql (src/EventLeaderboard.Server/Subscriptions); keep them in step.
-- Re-runnable. Stop every node of the older version first: they use sub_pending, which this drops.

ALTER TABLE leaderboard.sub_messages ADD COLUMN IF NOT EXISTS written_at timestamptz NOT NULL DEFAULT now();
CREATE TABLE IF NOT EXISTS leaderboard.sub_pending_ranges (
    range_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_name text NOT NULL, board_id text NOT NULL, first_ord bigint NOT NULL, last_ord bigint NOT NULL,
    ords bigint[] NOT NULL, ids text[] NOT NULL,
    consumer text NULL, delivery_count int NOT NULL, deadline timestamptz NULL);
CREATE INDEX IF NOT EXISTS sub_pending_ranges_group ON leaderboard.sub_pending_ranges (group_name, first_ord);
DO $convert$ BEGIN
    IF to_regclass('leaderboard.sub_pending') IS NOT NULL THEN
        INSERT INTO leaderboard.sub_pending_ranges (group_name, board_id, first_ord, last_ord, ords, ids, consumer, delivery_count, deadline)
            SELECT group_name, board_id, ord, ord, ARRAY[ord], ARRAY[id], consumer, delivery_count, deadline FROM leaderboard.sub_pending;
        DROP TABLE leaderboard.sub_pending;
    END IF;
END $convert$;
