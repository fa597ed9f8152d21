using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>
/// Snapshots every board when the log has moved <see cref="SnapshotOptions.EveryEvents"/> past the
/// last snapshot or <see cref="SnapshotOptions.EverySeconds"/> passed with changes, and once more on
/// graceful shutdown. After a failure the next periodic attempt backs off (<see cref="SnapshotBackoff"/>).
/// The shutdown snapshot is taken in <see cref="StoppingAsync"/>, which the host
/// calls before it stops any service: the follower still captures, and the subscriptions' writer
/// can still raise its watermark, without which a restart could not use the snapshot (see
/// <see cref="SnapshotRestorer"/>).
/// </summary>
public sealed class SnapshotScheduler(
    SnapshotTaker taker,
    SnapshotRestorer restorer,
    LeaderboardProjection projection,
    IOptions<SnapshotOptions> options,
    IServiceProvider services,
    ILogger<SnapshotScheduler> logger) : BackgroundService, IHostedLifecycleService
{
    static readonly TimeSpan WatermarkWait = TimeSpan.FromSeconds(5);

    static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    long AppliedSeqId => projection.AppliedSequence / Ingest.LogPosition.ItemsPerEvent;

    long LastSeqId => Math.Max(taker.LastSeqId, restorer.RestoredAt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var lastRun = DateTime.UtcNow;
        var backoff = new SnapshotBackoff();
        using var timer = new PeriodicTimer(CheckEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!projection.IsReady || AppliedSeqId <= LastSeqId) continue;
                var byEvents = o.EveryEvents > 0 && AppliedSeqId - LastSeqId >= o.EveryEvents;
                var byTime = o.EverySeconds > 0 && DateTime.UtcNow - lastRun >= TimeSpan.FromSeconds(o.EverySeconds);
                if (!byEvents && !byTime) continue;
                if (!backoff.Allows(DateTime.UtcNow)) continue;
                lastRun = DateTime.UtcNow;
                try
                {
                    await taker.TakeAsync(null, stoppingToken);
                    backoff.Succeeded();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    backoff.Failed(DateTime.UtcNow);
                    logger.LogWarning(e, "Periodic snapshot failed ({Failures} in a row); the next attempt waits {Wait}",
                        backoff.Failures, backoff.Wait);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.OnShutdown || !projection.IsReady || AppliedSeqId <= LastSeqId) return;
        try
        {
            var target = AppliedSeqId;
            if (services.GetService<Subscriptions.MessageWriter>() is { } writer)
            {
                var deadline = DateTime.UtcNow + WatermarkWait;
                while (writer.WrittenUpTo < target && DateTime.UtcNow < deadline)
                {
                    // A cancelled delay completes WhenAny at once without throwing: stop, don't spin.
                    cancellationToken.ThrowIfCancellationRequested();
                    await Task.WhenAny(writer.NextWrite, Task.Delay(100, cancellationToken));
                }
            }
            await taker.TakeAsync(null, cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Snapshot on shutdown failed; the next start replays more of the log");
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
