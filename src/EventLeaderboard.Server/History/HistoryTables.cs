namespace EventLeaderboard.Server.History;

/// <summary>
/// The history index (in the event store's schema), the statements of <c>migrations/0003_player_history.sql</c>,
/// <c>0006</c> and <c>0008</c>.
/// </summary>
/// <remarks>
/// <c>player_history</c>: one row per applied submission or removal, indexed by
/// <c>(<see cref="PlayerKey"/>, sequence)</c>: a 64-bit hash of the board and player ids, then the
/// log position. So a page is one index range scan,
/// <c>WHERE key = hash($1, $2) AND board_id = $1 AND player_id = $2 AND sequence &gt; $3 ORDER BY sequence LIMIT $4</c>;
/// the ids are compared as well, so two players whose hashes collide never mix.
/// It copies what only the event's item knows and a page would otherwise have to dig out of a
/// ~60 KB TOASTed batch event per row (submitted value, submission id, API key name), plus the
/// outcome only the projection knows (resulting score). The event's timestamp is not copied: it
/// is a column of <c>mt_events</c>, joined by primary key (<c>seq_id = sequence / 1024</c>)
/// without detoasting the event body, so the log stays the one record of when.
/// <c>player_history_watermark</c>: every event with <c>seq_id &lt;= indexed_up_to</c> has its rows;
/// written in the same transaction as them.
/// Every score inserts an entry at a random place of the index, the largest single cost of ingest
/// on a big board. With a bigint hash the step down the tree compares numbers, not strings, and the
/// entries are smaller: ~5 µs less CPU per score on a 10M-player board than the old
/// <c>(board_id, player_id, sequence)</c> primary key (<c>migrations/0008</c>). The id columns
/// compare bytes (<c>COLLATE "C"</c>, <c>migrations/0006</c>).
/// <c>kind</c> is a persisted enum (<see cref="HistoryKind"/>): explicit values, append-only.
/// </remarks>
public static class HistoryTables
{
    /// <summary>What <c>migrations/0006_history_binary_collation.sql</c> does to a table created before it.</summary>
    public static string CollationSql(string schema) => $"""
        ALTER TABLE {schema}.{Rows}
            ALTER COLUMN board_id TYPE text COLLATE "C",
            ALTER COLUMN player_id TYPE text COLLATE "C";
        """;

    /// <summary>
    /// The index key over two text expressions; a query spells it exactly like the index does, or
    /// the planner cannot use the index. A newline separates the ids (they hold no control
    /// characters, so no two pairs hash the same text), and <c>hashtextextended</c> is what hash
    /// partitioning stores rows by, so it cannot change between PostgreSQL versions.
    /// </summary>
    public static string PlayerKey(string boardId, string playerId) => $"hashtextextended({boardId} || E'\\n' || {playerId}, 0)";

    /// <summary>What <c>migrations/0008_history_hashed_key.sql</c> does to a table created before it.</summary>
    public static string HashedKeySql(string schema) => $"""
        CREATE UNIQUE INDEX IF NOT EXISTS {KeyIndex}
            ON {schema}.{Rows} ({PlayerKey("board_id", "player_id")}, sequence);
        ALTER TABLE {schema}.{Rows} DROP CONSTRAINT IF EXISTS player_history_pkey;
        """;

    public const string Rows = "player_history";
    public const string KeyIndex = "player_history_key";
    public const string Watermark = "player_history_watermark";

    public static string CreateSql(string schema) => $"""
        CREATE TABLE IF NOT EXISTS {schema}.{Rows} (
            board_id text COLLATE "C" NOT NULL,
            player_id text COLLATE "C" NOT NULL,
            sequence bigint NOT NULL,
            kind smallint NOT NULL,
            score bigint NULL,
            resulting_score bigint NULL,
            submission_id text NULL,
            submitted_by text NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS {KeyIndex} ON {schema}.{Rows} ({PlayerKey("board_id", "player_id")}, sequence);
        CREATE TABLE IF NOT EXISTS {schema}.{Watermark} (id int PRIMARY KEY, indexed_up_to bigint NOT NULL);
        INSERT INTO {schema}.{Watermark} VALUES (1, 0) ON CONFLICT DO NOTHING;
        """;
}

/// <summary>What a history row records; stored as smallint, values fixed and append-only.</summary>
public enum HistoryKind : short
{
    /// <summary>A submission applied to the board (<c>score.submitted</c>).</summary>
    ScoreSubmitted = 1,

    /// <summary>A moderator removed the player (<c>player.removed</c>).</summary>
    PlayerRemoved = 2,
}

/// <summary>One row of the index.</summary>
/// <param name="Score">The submitted value (the amount added on increment boards); null for a removal.</param>
/// <param name="ResultingScore">The player's score on the board right after the event; null after a removal.</param>
public readonly record struct HistoryRow(
    string BoardId, string PlayerId, long Sequence, HistoryKind Kind, long? Score, long? ResultingScore, string? SubmissionId, string? SubmittedBy);
