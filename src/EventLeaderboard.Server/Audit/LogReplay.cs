using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
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
    /// <remarks>
    /// Two stages, one per core: a reader task fetches and parses rows (JSON parsing is about half
    /// the cost) while the caller's task applies them in order; batches of parsed events pass
    /// through a small bounded channel, so memory stays flat whatever the range.
    /// </remarks>
    public async Task<ReplayStats> ReplayAsync(LeaderboardProjection projection, string? boardId, long afterSeqId, long upToSeqId, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var channel = Channel.CreateBounded<List<(long SeqId, object Event)>>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        var counts = new long[2];
        var reader = Task.Run(() => ReadAsync(channel.Writer, boardId, afterSeqId, upToSeqId, counts, ct), ct);
        long scores = 0;
        await foreach (var batch in channel.Reader.ReadAllAsync(ct))
        {
            foreach (var (seqId, evt) in batch)
            {
                switch (evt)
                {
                    case ScoresSubmitted submitted:
                        scores += submitted.Items.Length;
                        projection.ApplyScores(seqId, submitted, null);
                        break;
                    case PlayerRemoved removed:
                        projection.ApplyRemoval(seqId, removed);
                        break;
                    case BoardDefined defined:
                        projection.ApplyBoardDefined(seqId, defined);
                        break;
                    case BoardUpdated updated:
                        projection.ApplyBoardUpdated(seqId, updated);
                        break;
                }
            }
        }
        await reader; // surfaces a read failure
        return new ReplayStats(counts[0], scores, Math.Max(afterSeqId, counts[1]), started.Elapsed);
    }

    /// <summary>Reads and parses the range; only events of the board are passed on. counts: [events read, last seq_id].</summary>
    async Task ReadAsync(ChannelWriter<List<(long, object)>> output, string? boardId, long afterSeqId, long upToSeqId, long[] counts, CancellationToken ct)
    {
        try
        {
            // jsonb's text form puts a space after each colon; a board id needs no escaping (validated
            // to letters, digits and -_.:), so this finds every item of the board and little else.
            var marker = boardId is null ? null : $"\"b\": {JsonSerializer.Serialize(boardId)}";
            await using var cmd = dataSource.CreateCommand(
                $"SELECT seq_id, type, data FROM {_schema}.mt_events WHERE seq_id > @after AND seq_id <= @upTo ORDER BY seq_id");
            cmd.Parameters.AddWithValue("after", afterSeqId);
            cmd.Parameters.AddWithValue("upTo", upToSeqId);
            await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            var batch = new List<(long, object)>(BatchSize);
            while (await reader.ReadAsync(ct))
            {
                var seqId = reader.GetInt64(0);
                counts[0]++;
                counts[1] = seqId;
                if (Parse(reader.GetString(1), reader.GetString(2), boardId, marker) is not { } evt) continue;
                batch.Add((seqId, evt));
                if (batch.Count < BatchSize) continue;
                await output.WriteAsync(batch, ct);
                batch = new List<(long, object)>(BatchSize);
            }
            if (batch.Count > 0) await output.WriteAsync(batch, ct);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            throw;
        }
    }

    const int BatchSize = 256;

    static object? Parse(string type, string json, string? boardId, string? marker)
    {
        switch (type)
        {
            case EventTypeNames.ScoresSubmitted:
                if (marker is not null && !json.Contains(marker, StringComparison.Ordinal)) return null;
                return JsonSerializer.Deserialize(json, EventJsonContext.Default.ScoresSubmitted);
            case EventTypeNames.PlayerRemoved:
                var removed = JsonSerializer.Deserialize(json, EventJsonContext.Default.PlayerRemoved)!;
                return boardId is null || removed.BoardId == boardId ? removed : null;
            case EventTypeNames.BoardDefined:
                var defined = JsonSerializer.Deserialize(json, EventJsonContext.Default.BoardDefined)!;
                return boardId is null || defined.BoardId == boardId ? defined : null;
            case EventTypeNames.BoardUpdated:
                var updated = JsonSerializer.Deserialize(json, EventJsonContext.Default.BoardUpdated)!;
                return boardId is null || updated.BoardId == boardId ? updated : null;
            default:
                return null; // tombstones, unknown types
        }
    }
}
