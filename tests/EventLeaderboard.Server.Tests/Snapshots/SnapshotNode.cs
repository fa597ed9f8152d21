using EventLeaderboard.Server.Snapshots;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EventLeaderboard.Server.Tests.Snapshots;

/// <summary>An in-process node whose snapshots are taken only when a test asks (no timer, none on shutdown unless asked).</summary>
public static class SnapshotNode
{
    public static async Task<LeaderboardApp> StartAsync(string database, string nodeName = "node-a", bool snapshotOnShutdown = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Snapshots:EveryEvents"] = "0",
            ["Snapshots:EverySeconds"] = "0",
            ["Snapshots:OnShutdown"] = snapshotOnShutdown ? "true" : "false",
        };
        return await new LeaderboardApp(database, settings, nodeName).StartAsync();
    }

    /// <summary>The seq_id the node's start-up restore began its log tail after (0: full replay).</summary>
    public static long RestoredAt(this LeaderboardApp app) => app.Services.GetRequiredService<SnapshotRestorer>().RestoredAt;
}
