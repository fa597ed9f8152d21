using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Ingest;
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
/// streamed query; score items of other boards are skipped while parsing (<see cref="ScoreBatchReader"/>).
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
    /// Two stages, one per core: a reader task fetches and parses rows while the caller's task
    /// applies them in order; pages of parsed events pass through a small bounded channel, so
    /// memory stays flat whatever the range. Both stages share one cancellation: when the apply
    /// fails, the reader stops too instead of staying blocked on a full channel with a query open.
    /// </remarks>
    /// <param name="advance">Publish progress (<see cref="LeaderboardProjection.Advance"/>) after each page, as the live follower does.</param>
    public async Task<ReplayStats> ReplayAsync(LeaderboardProjection projection, string? boardId, long afterSeqId, long upToSeqId, CancellationToken ct, bool advance = false)
    {
        var started = Stopwatch.StartNew();
        var channel = Channel.CreateBounded<Page>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var counts = new long[2];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = Task.Run(() => ReadAsync(channel.Writer, boardId, afterSeqId, upToSeqId, counts, stop.Token), stop.Token);
        long scores = 0;
        try
        {
            await foreach (var page in channel.Reader.ReadAllAsync(stop.Token))
            {
                foreach (var parsed in page.Events)
                    scores += Apply(projection, parsed);
                if (advance) projection.Advance(page.LastSeqId);
            }
        }
        catch
        {
            await stop.CancelAsync();
            // The apply's failure is the one to report; the reader's is only its consequence.
            try { await reader; } catch (Exception) { /* cancelled because of the failure above */ }
            throw;
        }
        await reader; // surfaces a read failure
        return new ReplayStats(counts[0], scores, Math.Max(afterSeqId, counts[1]), started.Elapsed);
    }

    /// <summary>Applies one parsed event; returns the number of scores applied.</summary>
    static int Apply(LeaderboardProjection projection, in Parsed parsed)
    {
        switch (parsed.Other)
        {
            case null:
                var batch = parsed.Scores;
                var applied = 0;
                // Items past the last log position of an event are ignored, as the live follower does.
                for (; applied < batch.Count && batch.Indexes[applied] < LogPosition.ItemsPerEvent; applied++)
                {
                    projection.PrefetchAhead(batch.Items, applied, batch.Count);
                    projection.ApplyReplayedScore(parsed.SeqId, batch.Indexes[applied], batch.Items[applied]);
                }
                return applied;
            case PlayerRemoved removed:
                projection.ApplyRemoval(parsed.SeqId, removed);
                break;
            case BoardDefined defined:
                projection.ApplyBoardDefined(parsed.SeqId, defined);
                break;
            case BoardUpdated updated:
                projection.ApplyBoardUpdated(parsed.SeqId, updated);
                break;
        }
        return 0;
    }

    /// <summary>Reads and parses the range; only events of the board are passed on. counts: [events read, last seq_id].</summary>
    async Task ReadAsync(ChannelWriter<Page> output, string? boardId, long afterSeqId, long upToSeqId, long[] counts, CancellationToken ct)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand(
                $"SELECT seq_id, type, data FROM {_schema}.mt_events WHERE seq_id > @after AND seq_id <= @upTo ORDER BY seq_id");
            cmd.Parameters.AddWithValue("after", afterSeqId);
            cmd.Parameters.AddWithValue("upTo", upToSeqId);
            await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            var page = new List<Parsed>();
            long rows = 0, last = 0, sent = 0;
            var items = 0;
            while (await reader.ReadAsync(ct))
            {
                last = reader.GetInt64(0);
                rows++;
                counts[0]++;
                counts[1] = last;
                if (Parse(last, reader.GetString(1), reader.GetFieldValue<byte[]>(2), boardId) is { } parsed)
                {
                    page.Add(parsed);
                    items += Math.Max(1, parsed.Scores.Count);
                }
                // Items bound a page (what sits parsed in the channel stays a few MB, not a heap of
                // batch events for the GC to trace); rows too, so a long run of other boards'
                // events still publishes progress.
                if (items < ItemsPerPage && rows % RowsPerPage != 0) continue;
                await output.WriteAsync(new Page(page, sent = last), ct);
                page = [];
                items = 0;
            }
            if (last > sent) await output.WriteAsync(new Page(page, last), ct);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            throw;
        }
    }

    const int ItemsPerPage = 8192;
    const int RowsPerPage = 4096;

    /// <summary>Parsed events and the last seq_id read for them (skipped rows included).</summary>
    readonly record struct Page(List<Parsed> Events, long LastSeqId);

    /// <summary>A parsed event: score items of the board (<see cref="Other"/> null), or another event.</summary>
    readonly record struct Parsed(long SeqId, ScoreBatch Scores, object? Other);

    static Parsed? Parse(long seqId, string type, byte[] json, string? boardId)
    {
        switch (type)
        {
            case EventTypeNames.ScoresSubmitted:
                var batch = ScoreBatchReader.Read(json, boardId);
                return batch.Count == 0 ? null : new Parsed(seqId, batch, null);
            case EventTypeNames.PlayerRemoved:
                var removed = JsonSerializer.Deserialize(json, EventJsonContext.Default.PlayerRemoved)!;
                return boardId is null || removed.BoardId == boardId ? new Parsed(seqId, default, removed) : null;
            case EventTypeNames.BoardDefined:
                var defined = JsonSerializer.Deserialize(json, EventJsonContext.Default.BoardDefined)!;
                return boardId is null || defined.BoardId == boardId ? new Parsed(seqId, default, defined) : null;
            case EventTypeNames.BoardUpdated:
                var updated = JsonSerializer.Deserialize(json, EventJsonContext.Default.BoardUpdated)!;
                return boardId is null || updated.BoardId == boardId ? new Parsed(seqId, default, updated) : null;
            default:
                return null; // tombstones, unknown types
        }
    }
}
