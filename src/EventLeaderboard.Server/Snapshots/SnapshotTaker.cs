using System.Diagnostics;
using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>What one snapshot run stored.</summary>
public sealed record SnapshotTaken(string BoardId, long SeqId, int Players, long SizeBytes, long SnapshotId, long CaptureMs, long UploadMs);

/// <summary>
/// Takes snapshots of the live projection: serialized on the follower's loop into memory (the only
/// moment nothing is applied, so the bytes are exactly the state at one seq_id; about a second at
/// 10M players), then uploaded and pruned off that loop while ingest continues. One run at a time
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
    readonly string _node = configuration["Node:Name"] is { Length: > 0 } name ? name : Environment.MachineName;
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
            var captured = await follower.RunBetweenEventsAsync(seqId => CapturedSnapshot.Capture(projection, seqId, boardId)).WaitAsync(ct);
            var captureMs = capture.ElapsedMilliseconds;
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
