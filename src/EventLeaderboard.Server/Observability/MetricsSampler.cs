using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Snapshots;
using EventLeaderboard.Server.Subscriptions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Observability;

/// <summary>
/// Reads, every <see cref="ObservabilityOptions.SampleIntervalSeconds"/>, the figures the gauges
/// need from PostgreSQL, so that a scrape never waits on the database and a busy database costs
/// a few cheap queries per interval, not per scrape.
/// </summary>
public sealed class MetricsSampler(
    NpgsqlDataSource dataSource,
    IOptions<StorageOptions> storage,
    IOptions<ObservabilityOptions> options,
    IServiceProvider services,
    ILogger<MetricsSampler> logger) : BackgroundService
{
    DatabaseSample _sample = DatabaseSample.Empty;

    public DatabaseSample Latest => Volatile.Read(ref _sample);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.SampleIntervalSeconds));
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                Volatile.Write(ref _sample, await SampleAsync(stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Metrics must not take the node down; the gauges keep their last values.
                logger.LogWarning(e, "Sampling metrics from PostgreSQL failed");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    async Task<DatabaseSample> SampleAsync(CancellationToken ct)
    {
        var schema = storage.Value.Schema;
        long head;
        // max() on the primary key is one index probe.
        await using (var cmd = dataSource.CreateCommand($"SELECT coalesce(max(seq_id), 0) FROM {schema}.mt_events"))
            head = (long)(await cmd.ExecuteScalarAsync(ct))!;

        var snapshots = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (services.GetService<SnapshotStore>() is { } snapshotStore)
            foreach (var s in await snapshotStore.ListAsync(null, long.MaxValue, ct))
                if (!snapshots.TryGetValue(s.BoardId, out var seen) || s.TakenAt > seen) snapshots[s.BoardId] = s.TakenAt;

        IReadOnlyDictionary<string, long> lags = services.GetService<ConsumerGroupStore>() is { } groups
            ? await groups.LagsAsync(ct)
            : new Dictionary<string, long>();
        return new DatabaseSample(head, snapshots, lags);
    }
}
