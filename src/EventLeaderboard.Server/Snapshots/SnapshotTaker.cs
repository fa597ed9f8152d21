using EventLeaderboard.Server.Configuration;
using System.Diagnostics;
using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>What one snapshot run stored.</summary>
public sealed record SnapshotTaken(string BoardId, long SeqId, int Players, long SizeBytes, long SnapshotId, long CaptureMs, long UploadMs);

/// <summary>
/// Takes snapshots of the live projection: copies of the boards are taken on the follower's loop
/// (the only moment nothing is applied, so they are exactly the state at one seq_id; ~0.3 s at 10M
/// players, <c>captureMs</c> in the log), then the snapshots are written from the copies, uploaded
/// and pruned off that loop while ingest continues. One run at a time
/// per node; several nodes may snapshot the same board (the rows never conflict).
/// </summary>
public sealed class SnapshotTaker(
    LogFollower follower,
    LeaderboardProjection projection,
    SnapshotStore store,
    IOptions<SnapshotOptions> options,
    IConfiguration configuration,
    ILogger<SnapshotTaker> logger)
{
    readonly SemaphoreSlim _oneAtATime = new(1, 1);
    readonly string _node = NodeName.Of(configuration);
    long _lastSeqId = -1;

    /// <summary>The seq_id of this node's newest stored snapshot run (-1 before the first).</summary>
    public long LastSeqId => Volatile.Read(ref _lastSeqId);

    /// <param name="boardId">One board, or null for all.</param>
    public async Task<List<SnapshotTaken>> TakeAsync(string? boardId, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct);
        try
        {
            var capture = Stopwatch.StartNew();
            // Cancellable: a follower that stopped (shutdown) must not hold the caller forever.
            var frozen = await follower.RunBetweenEventsAsync(seqId => CapturedSnapshot.Freeze(projection, seqId, boardId)).WaitAsync(ct);
            var captureMs = capture.ElapsedMilliseconds;
            // The envelope (settings, idempotency entries) is written with the follower running again.
            var captured = await Task.Run(() => frozen.ConvertAll(f => f.Complete()), ct);
            var taken = new List<SnapshotTaken>(captured.Count);
            foreach (var snapshot in captured)
            {
                var upload = Stopwatch.StartNew();
                var id = await store.SaveAsync(snapshot, _node, ct);
                await store.PruneAsync(snapshot.BoardId, options.Value.Retention, ct);
                taken.Add(new SnapshotTaken(snapshot.BoardId, snapshot.SeqId, snapshot.Players, snapshot.Bytes.Length, id, captureMs, upload.ElapsedMilliseconds));
                logger.LogInformation("Snapshot of board {BoardId} at seq_id {SeqId}: {Players} players, {Bytes} bytes, captured in {CaptureMs} ms, stored in {UploadMs} ms",
                    snapshot.BoardId, snapshot.SeqId, snapshot.Players, snapshot.Bytes.Length, captureMs, upload.ElapsedMilliseconds);
            }
            if (boardId is null && captured.Count > 0) Volatile.Write(ref _lastSeqId, captured.Min(c => c.SeqId));
            return taken;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}
