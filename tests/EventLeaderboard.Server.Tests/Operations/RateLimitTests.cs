using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Operations;

/// <summary>A node whose keys may each send 2 reads at once, then one per second.</summary>
public sealed class TightRateLimitFixture : IAsyncLifetime
{
    LeaderboardApp? _app;

    public LeaderboardApp App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _app = await new LeaderboardApp(await TestDatabase.CreateDatabaseAsync(), new Dictionary<string, string?>
    {
        ["RateLimiting:Read:PermitsPerSecond"] = "1",
        ["RateLimiting:Read:Burst"] = "2",
    }).StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

public sealed class RateLimitTests(TightRateLimitFixture fixture) : IClassFixture<TightRateLimitFixture>
{
    readonly LeaderboardApp _app = fixture.App;

    [Fact]
    public async Task a_key_over_its_read_limit_gets_429_problems_with_retry_after_and_other_keys_do_not()
    {
        var reader = new Api(_app.ClientWith(LeaderboardApp.ReadKey));
        var admin = new Api(_app.ClientWith(LeaderboardApp.AdminKey));

        var replies = new List<Reply>();
        for (var i = 0; i < 5; i++) replies.Add(await reader.GetAsync("/v1/leaderboards"));

        // The bucket holds 2 and refills 1 a second: of 5 quick calls at most 3 can pass.
        var refused = replies.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(refused.Count, 2, 3);
        foreach (var reply in refused)
        {
            reply.AssertProblem(HttpStatusCode.TooManyRequests);
            var retryAfter = reply.Response.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {retryAfter}");
        }
        // Another key has its own buckets (the admin key spends at most one read token elsewhere in this class).
        (await admin.GetAsync("/v1/leaderboards")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task health_metrics_and_the_dashboard_are_not_limited()
    {
        var anonymous = _app.ClientWith(null);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/")).StatusCode);
        }
    }
}
