using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>In-process nodes for the subscription tests.</summary>
public static class SubscriptionNode
{
    /// <summary>A node on <paramref name="database"/> with the given extra settings (snapshot on shutdown on, as in production).</summary>
    public static LeaderboardApp Create(string database, IDictionary<string, string?>? settings = null, string nodeName = "node-a") =>
        new(database, settings, nodeName);
}

/// <summary>One database and one started node per test class (see <see cref="SubscriptionNode"/>).</summary>
public sealed class SubscriptionAppFixture : IAsyncLifetime
{
    public LeaderboardApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await SubscriptionNode.Create(await TestDatabase.CreateDatabaseAsync()).StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
