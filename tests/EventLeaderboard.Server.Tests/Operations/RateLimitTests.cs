using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Operations;

/// <summary>A node whose keys may each send 2 reads and 3 submissions at once, then one of each per second.</summary>
public sealed class TightRateLimitFixture : IAsyncLifetime
{
    LeaderboardApp? _app;

    public LeaderboardApp App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _app = await new LeaderboardApp(await TestDatabase.CreateDatabaseAsync(), new Dictionary<string, string?>
    {
        ["RateLimiting:Read:PermitsPerSecond"] = "1",
        ["RateLimiting:Read:Burst"] = "2",
        ["RateLimiting:Ingest:PermitsPerSecond"] = "1",
        ["RateLimiting:Ingest:Burst"] = "3",
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
        for (var i = 0; i < 10; i++) replies.Add(await reader.GetAsync("/v1/leaderboards"));

        // The bucket holds 2 and refills 1 a second: the first 2 pass and, unless 10 reads took
        // over 7 s, some of the rest are refused.
        Assert.All(replies.Take(2), r => r.AssertStatus(HttpStatusCode.OK));
        var refused = replies.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.Equal(10, refused.Count + replies.Count(r => r.Status == HttpStatusCode.OK));
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
    public async Task submissions_have_their_own_bucket_and_a_refused_one_appends_nothing()
    {
        var boardId = await new Api(_app.ClientWith(LeaderboardApp.AdminKey)).CreateBoardAsync();
        var ingester = new Api(_app.ClientWith(LeaderboardApp.IngestKey));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++) statuses.Add((await ingester.SubmitAsync(boardId, new { playerId = "p" + i, score = i })).Status);
        var before = await _app.EventCountAsync();
        var late = await ingester.SubmitAsync(boardId, new { playerId = "late", score = 99 });

        // 3 in the bucket, one more per second: the first 3 pass; of 12 some are refused unless
        // the 12 took over 9 s (this asserts limits, not speed: the margin is wide on purpose).
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(3));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, s.ToString()));
        if (late.Status == HttpStatusCode.TooManyRequests)
        {
            late.AssertProblem(HttpStatusCode.TooManyRequests);
            Assert.Equal(before, await _app.EventCountAsync());
        }
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
