using EventLeaderboard.Server.Audit;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Snapshots;

namespace EventLeaderboard.Server.Commands;

/// <summary>
/// What the commands share: the host's services without starting it (no HTTP, no follower), and
/// the projection a restarting node would build (newest valid snapshots + the log tail).
/// </summary>
internal sealed class OfflineBoards(IServiceProvider services)
{
    public LogReplay Replay => services.GetRequiredService<LogReplay>();
    public BoardRebuilder Rebuilder => services.GetRequiredService<BoardRebuilder>();
    public SnapshotStore Store => services.GetRequiredService<SnapshotStore>();

    /// <summary>Every board (or one) at the head of the log, as a restarting node would build it.</summary>
    public async Task<(LeaderboardProjection Projection, long SeqId)> AtHeadAsync(string? boardId, CancellationToken ct)
    {
        await Store.EnsureTablesIfAllowedAsync(services, ct);
        var head = await Replay.HeadSeqIdAsync(ct);
        var projection = Replay.NewProjection();
        var restored = await services.GetRequiredService<SnapshotRestorer>().LoadNewestAsync(boardId, head, ct);
        foreach (var board in restored.Boards) projection.Restore(board);
        await Replay.ReplayAsync(projection, boardId, restored.TailAfter, head, ct);
        return (projection, head);
    }

    /// <summary>Stores snapshots of the projection's boards (node name "cli").</summary>
    public async Task<List<CapturedSnapshot>> SnapshotAsync(LeaderboardProjection projection, long seqId, string? boardId, CancellationToken ct)
    {
        var captured = CapturedSnapshot.Capture(projection, seqId, boardId);
        var retention = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SnapshotOptions>>().Value.Retention;
        foreach (var snapshot in captured)
        {
            await Store.SaveAsync(snapshot, "cli", ct);
            await Store.PruneAsync(snapshot.BoardId, retention, ct);
        }
        return captured;
    }
}
