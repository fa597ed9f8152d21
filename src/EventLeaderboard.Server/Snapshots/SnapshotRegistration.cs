using EventLeaderboard.Server.Audit;
using EventLeaderboard.Server.Schema;

namespace EventLeaderboard.Server.Snapshots;

public static class SnapshotRegistration
{
    /// <summary>
    /// Snapshot storage, start-up restore, periodic/shutdown snapshots, and the audit services built
    /// on them (rebuild, verify, asOf). Call after the log follower is registered.
    /// </summary>
    public static IServiceCollection AddSnapshots(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SnapshotOptions>(configuration.GetSection("Snapshots"));
        services.AddSingleton<SnapshotStore>();
        services.AddSingleton<SnapshotRestorer>();
        services.AddSingleton<SnapshotTaker>();
        services.AddSingleton<SchemaGuard>();
        services.AddSingleton<Migrator>();
        services.AddHostedService<SchemaCheck>();
        services.AddAudit(configuration);
        // After the follower: hosted services stop in reverse order, so this one's shutdown
        // snapshot runs while the follower can still capture it.
        services.AddHostedService<SnapshotScheduler>();
        return services;
    }
}
