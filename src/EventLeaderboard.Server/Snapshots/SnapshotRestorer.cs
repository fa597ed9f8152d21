using System.Diagnostics;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Subscriptions;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>
/// Start-up: installs the newest valid snapshot of every board into the projection and says where
/// the log tail starts. A snapshot that cannot be read or fails its checksum is skipped with a
/// warning and the previous one is tried; a board with snapshots but no valid one forces a full
/// replay (its events start at seq_id 1). Boards restored at different seq_ids share one tail from
/// the oldest of them; each skips the events it already holds (<see cref="BoardState.RestoredThrough"/>).
/// </summary>
public sealed class SnapshotRestorer(
    SnapshotStore store,
    IOptions<SnapshotOptions> options,
    IOptions<IngestOptions> ingest,
    IServiceProvider services,
    ILogger<SnapshotRestorer> logger)
{
    /// <summary>The seq_id the tail started after at the last restore (what the node holds from snapshots).</summary>
    public long RestoredAt { get; private set; }

    /// <returns>The seq_id after which the log must be read.</returns>
    public async Task<long> RestoreAsync(LeaderboardProjection projection, CancellationToken ct)
    {
        if (services.GetService<Schema.SchemaGuard>() is { } guard)
        {
            try
            {
                await guard.EnsureAsync(ct);
            }
            catch (Schema.SchemaMismatchException)
            {
                // The schema check fails the host's start with this very error; retrying here
                // would only repeat it every second until the process ends.
                await Task.Delay(Timeout.Infinite, ct);
            }
        }
        // Subscriptions derive messages while the projection applies events; a snapshot past what
        // they have written would skip messages nobody wrote. So never start after their watermark
        // as it is now (what was written meanwhile is there; what was only derived and queued is
        // derived again). Ensured also without a restore: the deriver needs the start-up watermark.
        var subscriptions = services.GetService<SubscriptionSchema>();
        if (subscriptions is not null) await subscriptions.EnsureCreatedAsync(ct);
        if (!options.Value.RestoreOnStart) return RestoredAt = 0;
        var started = Stopwatch.StartNew();
        var cap = subscriptions is null ? long.MaxValue : await subscriptions.ReadWatermarkAsync(ct);
        logger.LogInformation("Loading the newest snapshot of every board (at or below seq_id {Cap})", cap);
        var result = await LoadNewestAsync(null, cap, ct);
        foreach (var board in result.Boards) projection.Restore(board);
        RestoredAt = result.TailAfter;
        logger.LogInformation("Restored {Boards} board(s) from snapshots in {Ms} ms; replaying the log after seq_id {SeqId}",
            result.Boards.Count, started.ElapsedMilliseconds, RestoredAt);
        return RestoredAt;
    }

    /// <summary>The boards of the newest valid snapshots at or below <paramref name="maxSeqId"/>, and where their shared tail starts.</summary>
    /// <remarks>
    /// Boards load in parallel, largest first, at most one per core: a node with one big board and
    /// a few small ones is then ready when the big one is, not after all of them in turn.
    /// </remarks>
    public async Task<RestoredBoards> LoadNewestAsync(string? boardId, long maxSeqId, CancellationToken ct)
    {
        var snapshots = await store.ListAsync(boardId, maxSeqId, ct);
        var groups = snapshots.GroupBy(s => s.BoardId).Select(g => g.ToList()).OrderByDescending(g => g[0].Players).ToList();
        var loaded = new BoardState?[groups.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, groups.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            async (i, token) =>
            {
                foreach (var snapshot in groups[i])
                {
                    loaded[i] = await TryLoadAsync(snapshot, token);
                    if (loaded[i] is not null) break;
                }
                if (loaded[i] is null) logger.LogWarning("No valid snapshot of board {BoardId}: replaying the whole log", groups[i][0].BoardId);
            });
        var boards = loaded.OfType<BoardState>().ToList();
        var fullReplay = boards.Count < groups.Count;
        var tailAfter = fullReplay || boards.Count == 0 ? 0 : boards.Min(b => b.RestoredThrough);
        return new RestoredBoards(boards, tailAfter);
    }

    async Task<BoardState?> TryLoadAsync(StoredSnapshot snapshot, CancellationToken ct)
    {
        try
        {
            var started = Stopwatch.StartNew();
            // The parse is CPU-bound and synchronous: off the caller's thread, chunks prefetched meanwhile.
            var (board, seqId) = await Task.Run(() =>
            {
                using var stream = store.OpenRead(snapshot.Id);
                return BoardSnapshotFormat.Read(stream, snapshot.Checksum, ingest.Value.IdempotencyWindow, snapshot.SizeBytes);
            }, ct);
            if (board.Config.BoardId != snapshot.BoardId || seqId != snapshot.SeqId)
                throw new SnapshotFormatException("The snapshot's content does not match its row.");
            logger.LogInformation("Board {BoardId}: snapshot {Id} at seq_id {SeqId} ({Players} players, {Bytes} bytes) loaded in {Ms} ms",
                snapshot.BoardId, snapshot.Id, seqId, board.Ranking.Count, snapshot.SizeBytes, started.ElapsedMilliseconds);
            return board;
        }
        catch (Exception e) when (e is SnapshotFormatException or IOException)
        {
            logger.LogWarning(e, "Board {BoardId}: snapshot {Id} at seq_id {SeqId} is unreadable; trying an older one",
                snapshot.BoardId, snapshot.Id, snapshot.SeqId);
            return null;
        }
    }
}

/// <summary>Boards restored from snapshots, and the seq_id after which their common log tail starts.</summary>
public sealed record RestoredBoards(List<BoardState> Boards, long TailAfter);
