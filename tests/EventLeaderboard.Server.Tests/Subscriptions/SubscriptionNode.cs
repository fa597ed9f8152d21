using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>In-process nodes for the subscription tests.</summary>
public static class SubscriptionNode
{
    /// <summary>
    /// A node on <paramref name="database"/> with the given extra settings. Snapshot-on-shutdown is
    /// off: disposing an idle node while it takes that snapshot has been seen to hang the test host
    /// (SnapshotScheduler.StopAsync waiting for LogFollower.RunBetweenEventsAsync; reported), and
    /// these tests are not about snapshots.
    /// </summary>
    public static LeaderboardApp Create(string database, IDictionary<string, string?>? settings = null, string nodeName = "node-a")
    {
        var all = new Dictionary<string, string?> { ["Snapshots:OnShutdown"] = "false" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return new LeaderboardApp(database, all, nodeName);
    }
}

/// <summary>One database and one started node per test class (see <see cref="SubscriptionNode"/>).</summary>
public sealed class SubscriptionAppFixture : IAsyncLifetime
{
    public LeaderboardApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await SubscriptionNode.Create(await TestDatabase.CreateDatabaseAsync()).StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
