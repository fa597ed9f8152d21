using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>
/// Snapshots every board when the log has moved <see cref="SnapshotOptions.EveryEvents"/> past the
/// last snapshot or <see cref="SnapshotOptions.EverySeconds"/> passed with changes, and once more on
/// graceful shutdown. Registered after the log follower so it stops first, while the follower still
/// runs the capture.
/// </summary>
public sealed class SnapshotScheduler(
    SnapshotTaker taker,
    SnapshotRestorer restorer,
    LeaderboardProjection projection,
    IOptions<SnapshotOptions> options,
    ILogger<SnapshotScheduler> logger) : BackgroundService
{
    static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    long AppliedSeqId => projection.AppliedSequence / Ingest.LogPosition.ItemsPerEvent;

    long LastSeqId => Math.Max(taker.LastSeqId, restorer.RestoredAt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var lastRun = DateTime.UtcNow;
        using var timer = new PeriodicTimer(CheckEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!projection.IsReady || AppliedSeqId <= LastSeqId) continue;
                var byEvents = o.EveryEvents > 0 && AppliedSeqId - LastSeqId >= o.EveryEvents;
                var byTime = o.EverySeconds > 0 && DateTime.UtcNow - lastRun >= TimeSpan.FromSeconds(o.EverySeconds);
                if (!byEvents && !byTime) continue;
                lastRun = DateTime.UtcNow;
                try { await taker.TakeAsync(null, stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Periodic snapshot failed; the next one retries");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!options.Value.OnShutdown || !projection.IsReady || AppliedSeqId <= LastSeqId) return;
        try
        {
            await taker.TakeAsync(null, cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Snapshot on shutdown failed; the next start replays more of the log");
        }
    }
}
