using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Snapshots;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Schema;

/// <summary>
/// Makes sure the project's own tables exist before the follower uses them: created here when
/// <see cref="StorageOptions.ApplyMigrationsOnStartup"/> (development), otherwise left to migrations.
/// </summary>
public sealed class SchemaGuard(SnapshotStore snapshots, IOptions<StorageOptions> storage)
{
    public async Task EnsureAsync(CancellationToken ct)
    {
        if (storage.Value.ApplyMigrationsOnStartup) await snapshots.EnsureTablesAsync(ct);
    }
}
