using System.Net;
using System.Net.Http.Headers;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Subscriptions;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Subscriptions;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EventLeaderboard.Server.Tests.ProjectionRecovery;

/// <summary>
/// An apply that throws part-way through a batch event must not leave the items before the throw
/// applied twice: the node stops serving, rebuilds from snapshots and the log, and then equals a
/// model that counts every committed item once.
/// </summary>
public sealed class PoisonedApplyTests
{
    const int Players = 1000;
    const string FailingPlayer = "p500";

    static object Batch(int round, bool withIds) => new
    {
        scores = Enumerable.Range(0, Players).Select(i => new
        {
            playerId = $"p{i}",
            score = Score(round, i),
            submissionId = withIds ? $"r{round}-{i}" : null,
        }).ToArray(),
    };

    static long Score(int round, int i) => round == 1 ? i + 1 : 1000;

    /// <summary>Every player's score after both rounds, each counted once.</summary>
    static Dictionary<string, long> Model() => Enumerable.Range(0, Players).ToDictionary(i => $"p{i}", i => Score(1, i) + Score(2, i));

    static async Task<Dictionary<string, long>> ScoresAsync(Api api, string board)
    {
        var top = await api.GetAsync($"/v1/leaderboards/{board}/top?limit=1000");
        top.AssertStatus(HttpStatusCode.OK);
        return top.Entries().ToDictionary(e => e.Player, e => e.Score);
    }

    static async Task AssertConsistentAsync(Api api, string board)
    {
        var verify = await api.PostAsync($"/v1/admin/leaderboards/{board}/verify", new { });
        verify.AssertStatus(HttpStatusCode.OK);
        Assert.True(verify.Json.GetProperty("consistent").GetBoolean());
    }

    static WebApplicationFactory<Program> WithObserver(LeaderboardApp app, IProjectionObserver observer) =>
        app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton(observer)));

    static Api AdminApi(WebApplicationFactory<Program> node)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LeaderboardApp.AdminKey);
        return new Api(client);
    }

    static async Task WaitReadyAsync(Api api)
    {
        while (!(await api.Client.GetAsync("/health/ready")).IsSuccessStatusCode) await Task.Delay(50);
    }

    [Fact]
    public async Task a_batch_that_fails_half_applied_is_rebuilt_from_the_log_and_counted_once()
    {
        var observer = new FailOnce(FailingPlayer, stallAfterThrow: true);
        await using var app = new LeaderboardApp(await TestDatabase.CreateDatabaseAsync());
        await using var node = WithObserver(app, observer);
        var api = AdminApi(node);
        await WaitReadyAsync(api);
        var board = await api.CreateBoardAsync(updatePolicy: "increment");
        var groups = new GroupApi(api);
        var group = await groups.CreateAsync(new { boards = new[] { board }, kinds = new[] { "score.submitted" }, startAt = "beginning" });
        (await api.BatchAsync(board, Batch(1, withIds: false))).AssertStatus(HttpStatusCode.OK);

        observer.Arm(board);
        var failing = api.BatchAsync(board, Batch(2, withIds: true));
        try
        {
            // The follower is past the throw and has started over: it waits in the observer until released.
            await observer.Stalled.Task.WaitAsync(TimeSpan.FromMinutes(2));

            // Poisoned: the node serves nothing, and the request learns that its outcome is unknown.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.Client.GetAsync("/health/ready")).StatusCode);
            var read = await api.GetAsync($"/v1/leaderboards/{board}/top");
            read.AssertProblem(HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(read.Response.Headers.RetryAfter);
            (await api.SubmitAsync(board, new { playerId = "late", score = 1 })).AssertProblem(HttpStatusCode.ServiceUnavailable);
            var answer = await failing;
            answer.AssertProblem(HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(answer.Response.Headers.RetryAfter);
        }
        finally
        {
            observer.Release.Set(); // never leave the follower stalled (the host's stop would wait for it)
        }
        await WaitReadyAsync(api);

        Assert.Equal(Model(), await ScoresAsync(api, board));
        await AssertConsistentAsync(api, board);
        // The retry the 503 asked for: every item was recorded, so each is a duplicate and nothing changes.
        var retry = await api.BatchAsync(board, Batch(2, withIds: true));
        retry.AssertStatus(HttpStatusCode.OK);
        Assert.All(retry.Json.GetProperty("results").EnumerateArray(), r => Assert.True(r.GetProperty("duplicate").GetBoolean()));
        Assert.Equal(Model(), await ScoresAsync(api, board));

        // History: each player's two submissions once, on both sides of the item that failed.
        var sequence = retry.Json.GetProperty("results")[0].GetProperty("sequence").GetInt64();
        foreach (var player in new[] { "p499", FailingPlayer, "p501" })
        {
            var history = await api.GetAsync($"/v1/leaderboards/{board}/players/{player}/history?minSequence={sequence}&waitMs=30000");
            history.AssertStatus(HttpStatusCode.OK);
            Assert.Equal(2, history.Json.GetProperty("events").GetArrayLength());
        }

        // Subscriptions: every applied item's message exactly once (none lost with the half-derived
        // event, none written or delivered twice by the replay).
        var messages = await groups.ReadAtLeastAsync(group, "c1", 2 * Players);
        Assert.Equal(2 * Players, messages.Count);
        Assert.Equal(2 * Players, messages.Select(m => m.Id).Distinct().Count());
        Assert.Empty(await groups.ReadAsync(group, "c1"));
    }

    [Fact]
    public async Task a_start_up_catch_up_that_fails_half_applied_starts_over_and_counts_once()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var noSnapshots = new Dictionary<string, string?> { ["Snapshots:OnShutdown"] = "false" };
        string board;
        await using (var first = await new LeaderboardApp(database, noSnapshots).StartAsync())
        {
            var api = new Api(first.ClientWith(LeaderboardApp.AdminKey));
            board = await api.CreateBoardAsync(updatePolicy: "increment");
            (await api.BatchAsync(board, Batch(1, withIds: false))).AssertStatus(HttpStatusCode.OK);
            (await api.BatchAsync(board, Batch(2, withIds: true))).AssertStatus(HttpStatusCode.OK);
        }

        // The restart replays both batches; the first one's item for the failing player (half-way
        // through it) throws, once: applied again from where it stopped, the first half would count twice.
        var observer = new FailOnce(FailingPlayer, stallAfterThrow: false);
        observer.Arm(board);
        await using var app = new LeaderboardApp(database, noSnapshots);
        await using var node = WithObserver(app, observer);
        var restarted = AdminApi(node);
        await WaitReadyAsync(restarted);

        Assert.True(observer.Thrown);
        Assert.Equal(Model(), await ScoresAsync(restarted, board));
        await AssertConsistentAsync(restarted, board);
    }

    /// <summary>
    /// Throws once, from the projection's observer, at one player's item of the armed board (the
    /// items before it in the batch are applied by then). Optionally stalls the follower at the next
    /// observer call until <see cref="Release"/> is set, so the test can look at the node meanwhile.
    /// </summary>
    sealed class FailOnce(string playerId, bool stallAfterThrow) : IProjectionObserver
    {
        volatile string? _board;
        volatile bool _thrown;
        bool _stalled;

        public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Release { get; } = new(false);

        public bool Thrown => _thrown;

        public void Arm(string board) => _board = board;

        public void ScoreApplied(BoardState board, ScoreItem item, in ApplyResult result, long position)
        {
            if (!_thrown && item.BoardId == _board && item.PlayerId == playerId)
            {
                _thrown = true;
                throw new InvalidOperationException("Test: apply failed half-way through a batch.");
            }
            StallOnce();
        }

        public void PlayerRemoved(BoardState board, string playerId, long previousRank, long position) => StallOnce();

        public void BoardChanged(BoardConfig config, long position) => StallOnce();

        public void Advanced(long seqId) => StallOnce();

        void StallOnce()
        {
            if (!stallAfterThrow || !_thrown || _stalled) return;
            _stalled = true;
            Stalled.TrySetResult();
            Release.Wait();
        }
    }
}
