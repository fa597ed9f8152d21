using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Ingest;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.History;

/// <summary>One event of a player's history as the API shows it.</summary>
/// <param name="Timestamp">When the event was appended (mt_events.timestamp, the database's clock).</param>
public readonly record struct HistoryEntry(
    long Sequence, HistoryKind Kind, long? Score, long? ResultingScore, DateTimeOffset Timestamp, string? SubmissionId, string? SubmittedBy);

/// <summary>Reads the history index (any node, whichever writes it).</summary>
public sealed class HistoryReader(NpgsqlDataSource dataSource, IOptions<StorageOptions> storage)
{
    readonly string _watermarkSql = $"SELECT indexed_up_to FROM {storage.Value.Schema}.{HistoryTables.Watermark} WHERE id = 1";

    // The removal's actor is read from the removal event itself (a small row, never TOASTed); a
    // score row carries its submitter, so the batch event's body is never touched.
    readonly string _pageSql = $"""
        SELECT h.sequence, h.kind, h.score, h.resulting_score, e.timestamp, h.submission_id,
               CASE WHEN h.kind = {(short)HistoryKind.PlayerRemoved} THEN e.data ->> 'removedBy' ELSE h.submitted_by END
        FROM {storage.Value.Schema}.{HistoryTables.Rows} h
        JOIN {storage.Value.Schema}.mt_events e ON e.seq_id = h.sequence / {LogPosition.ItemsPerEvent}
        WHERE {HistoryTables.PlayerKey("h.board_id", "h.player_id")} = {HistoryTables.PlayerKey("@b", "@p")}
          AND h.board_id = @b AND h.player_id = @p AND h.sequence > @after
        ORDER BY h.sequence
        LIMIT @limit
        """;

    /// <summary>A page's query (parameters @b, @p, @after, @limit).</summary>
    internal string PageSql => _pageSql;

    /// <summary>The seq_id up to which the index has every event (0: none yet).</summary>
    public async Task<long> IndexedUpToAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(_watermarkSql);
        return await cmd.ExecuteScalarAsync(ct) is long seqId ? seqId : 0;
    }

    /// <summary>
    /// Waits until the index reaches <paramref name="seqId"/> or <paramref name="timeout"/> passes;
    /// returns the watermark last read. Polls (the writer may be another node), starting at a few
    /// milliseconds since the writer is usually only a write behind.
    /// </summary>
    public async Task<long> WaitForAsync(long seqId, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var indexed = await IndexedUpToAsync(ct);
            var remaining = deadline - DateTime.UtcNow;
            if (indexed >= seqId || remaining <= TimeSpan.Zero) return indexed;
            await Task.Delay(pause < remaining ? pause : remaining, ct);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 100));
        }
    }

    /// <summary>The player's events with a sequence above <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<List<HistoryEntry>> PageAsync(string boardId, string playerId, long afterSequence, int limit, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(_pageSql);
        cmd.Parameters.AddWithValue("b", boardId);
        cmd.Parameters.AddWithValue("p", playerId);
        cmd.Parameters.AddWithValue("after", afterSequence);
        cmd.Parameters.AddWithValue("limit", limit);
        var entries = new List<HistoryEntry>(Math.Min(limit, 128));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new HistoryEntry(
                reader.GetInt64(0),
                (HistoryKind)reader.GetInt16(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return entries;
    }
}
