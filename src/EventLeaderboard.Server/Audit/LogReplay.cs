using System.Diagnostics;
using System.Text.Json;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Audit;

/// <summary>How much a replay read and applied.</summary>
public readonly record struct ReplayStats(long Events, long Scores, long LastSeqId, TimeSpan Elapsed)
{
    public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// Replays a range of the log into a private <see cref="LeaderboardProjection"/>, for one board:
/// the same Apply code as the live node, so a rebuild has the same semantics (policies,
/// idempotency window, removals, ties) by construction. Reads mt_events with raw Npgsql in one
/// streamed query; score events of other boards are dropped by a text search before parsing.
/// </summary>
public sealed class LogReplay(NpgsqlDataSource dataSource, IOptions<StorageOptions> storage, IOptions<IngestOptions> ingest)
{
    readonly string _schema = storage.Value.Schema;

    /// <summary>A projection with no observer, for rebuilds and asOf boards.</summary>
    public LeaderboardProjection NewProjection() => new(ingest);

    /// <summary>The highest seq_id in the log (0 when empty).</summary>
    public async Task<long> HeadSeqIdAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT coalesce(max(seq_id), 0) FROM {_schema}.mt_events");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Applies the events with seq_id in (<paramref name="afterSeqId"/>, <paramref name="upToSeqId"/>]
    /// that concern <paramref name="boardId"/> (every board when null).
    /// </summary>
    public async Task<ReplayStats> ReplayAsync(LeaderboardProjection projection, string? boardId, long afterSeqId, long upToSeqId, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        long events = 0, scores = 0, last = afterSeqId;
        // jsonb's text form puts a space after each colon; a board id needs no escaping (validated
        // to letters, digits and -_.:), so this finds every item of the board and little else.
        var marker = boardId is null ? null : $"\"b\": {JsonSerializer.Serialize(boardId)}";
        await using var cmd = dataSource.CreateCommand(
            $"SELECT seq_id, type, data FROM {_schema}.mt_events WHERE seq_id > @after AND seq_id <= @upTo ORDER BY seq_id");
        cmd.Parameters.AddWithValue("after", afterSeqId);
        cmd.Parameters.AddWithValue("upTo", upToSeqId);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            var seqId = reader.GetInt64(0);
            var type = reader.GetString(1);
            last = seqId;
            events++;
            switch (type)
            {
                case EventTypeNames.ScoresSubmitted:
                    var json = reader.GetString(2);
                    if (marker is not null && !json.Contains(marker, StringComparison.Ordinal)) break;
                    var scoresEvent = JsonSerializer.Deserialize(json, EventJsonContext.Default.ScoresSubmitted)!;
                    scores += scoresEvent.Items.Length;
                    projection.ApplyScores(seqId, scoresEvent, null);
                    break;
                case EventTypeNames.PlayerRemoved:
                    var removed = JsonSerializer.Deserialize(reader.GetString(2), EventJsonContext.Default.PlayerRemoved)!;
                    if (boardId is null || removed.BoardId == boardId) projection.ApplyRemoval(seqId, removed);
                    break;
                case EventTypeNames.BoardDefined:
                    var defined = JsonSerializer.Deserialize(reader.GetString(2), EventJsonContext.Default.BoardDefined)!;
                    if (boardId is null || defined.BoardId == boardId) projection.ApplyBoardDefined(seqId, defined);
                    break;
                case EventTypeNames.BoardUpdated:
                    var updated = JsonSerializer.Deserialize(reader.GetString(2), EventJsonContext.Default.BoardUpdated)!;
                    if (boardId is null || updated.BoardId == boardId) projection.ApplyBoardUpdated(seqId, updated);
                    break;
            }
        }
        return new ReplayStats(events, scores, last, started.Elapsed);
    }
}
