using Npgsql;

namespace EventLeaderboard.Server.Tests.Snapshots;

/// <summary>Direct access to the snapshot tables, to count and to damage snapshots.</summary>
public static class SnapshotRows
{
    public static async Task<List<(long Id, string BoardId, long SeqId)>> ListAsync(string connectionString, string boardId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT id, board_id, seq_id FROM leaderboard.board_snapshots WHERE board_id = @b ORDER BY seq_id, id", connection);
        cmd.Parameters.AddWithValue("b", boardId);
        var rows = new List<(long, string, long)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
        return rows;
    }

    /// <summary>Flips one byte in the middle of the snapshot's first chunk (what a bad disk or a bad copy does).</summary>
    public static async Task CorruptAsync(string connectionString, long snapshotId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "UPDATE leaderboard.board_snapshot_chunks SET bytes = set_byte(bytes, length(bytes) / 2, (get_byte(bytes, length(bytes) / 2) # 255)) " +
            "WHERE snapshot_id = @id AND chunk_no = 0", connection);
        cmd.Parameters.AddWithValue("id", snapshotId);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    /// <summary>Cuts the snapshot short, as a torn copy would.</summary>
    public static async Task TruncateAsync(string connectionString, long snapshotId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "UPDATE leaderboard.board_snapshot_chunks SET bytes = substring(bytes from 1 for length(bytes) - 9) WHERE snapshot_id = @id AND chunk_no = 0", connection);
        cmd.Parameters.AddWithValue("id", snapshotId);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }
}
