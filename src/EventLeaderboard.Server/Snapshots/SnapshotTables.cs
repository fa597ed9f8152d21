namespace EventLeaderboard.Server.Snapshots;

/// <summary>
/// The snapshot tables (in the event store's schema). A snapshot is one row of metadata plus its
/// bytes cut into chunks, written in one transaction: a crash mid-write leaves nothing visible,
/// and the identity key plus a random <c>attempt</c> mean two nodes snapshotting the same board at
/// the same seq_id simply add two rows. Chunks keep every value far below PostgreSQL's 1 GB limit
/// and let a restore start parsing before the last byte arrived. <c>STORAGE EXTERNAL</c>: the
/// engine's format is already compact, so TOAST compression would cost CPU for nothing.
/// </summary>
public static class SnapshotTables
{
    public const string Snapshots = "board_snapshots";
    public const string Chunks = "board_snapshot_chunks";

    public static string CreateSql(string schema) => $"""
        CREATE TABLE IF NOT EXISTS {schema}.{Snapshots} (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            board_id text NOT NULL,
            seq_id bigint NOT NULL,
            node text NOT NULL,
            attempt uuid NOT NULL,
            taken_at timestamptz NOT NULL DEFAULT now(),
            players integer NOT NULL,
            size_bytes bigint NOT NULL,
            checksum bigint NOT NULL,
            CONSTRAINT {Snapshots}_unique UNIQUE (board_id, seq_id, node, attempt));
        CREATE TABLE IF NOT EXISTS {schema}.{Chunks} (
            snapshot_id bigint NOT NULL REFERENCES {schema}.{Snapshots} (id) ON DELETE CASCADE,
            chunk_no integer NOT NULL,
            bytes bytea NOT NULL,
            PRIMARY KEY (snapshot_id, chunk_no));
        ALTER TABLE {schema}.{Chunks} ALTER COLUMN bytes SET STORAGE EXTERNAL;
        """;
}
