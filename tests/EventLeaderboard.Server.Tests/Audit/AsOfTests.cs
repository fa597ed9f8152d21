using System.Net;
using EventLeaderboard.Server.Audit;
using Microsoft.Extensions.DependencyInjection;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Snapshots;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Audit;

/// <summary>asOf answers are the standings exactly as they were at the instant, checked against a model copied at each instant.</summary>
public sealed class AsOfTests
{
    static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToUniversalTime().ToString("O"));

    [Fact]
    public async Task top_player_and_around_as_of_past_instants_match_the_model_at_those_instants()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SnapshotNode.StartAsync(database);
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var random = new Random(7);
        var board = await api.CreateBoardAsync();
        var model = new BoardModel();
        var instants = new List<(DateTimeOffset At, BoardModel Model)>();
        for (var round = 0; round < 8; round++)
        {
            var scores = Enumerable.Range(0, 150).Select(_ => new { playerId = $"p{random.Next(300)}", score = (long)random.Next(10_000) }).ToArray();
            var reply = await api.BatchAsync(board, new { scores });
            reply.AssertStatus(HttpStatusCode.OK);
            var results = reply.Json.GetProperty("results").EnumerateArray().ToArray();
            for (var i = 0; i < scores.Length; i++) model.Submit(scores[i].playerId, scores[i].score, results[i].GetProperty("sequence").GetInt64());
            // Snapshots part-way, so some instants are built from a snapshot plus events and some from events only.
            if (round == 3) (await api.PostAsync("/v1/admin/snapshots", new { })).AssertStatus(HttpStatusCode.OK);
            await Task.Delay(5);
            instants.Add((DateTimeOffset.UtcNow, model.Copy()));
            await Task.Delay(5);
        }

        foreach (var (at, expected) in instants)
        {
            var top = await api.GetAsync($"/v1/leaderboards/{board}/top?limit=1000&asOf={Iso(at)}");
            top.AssertStatus(HttpStatusCode.OK);
            Assert.Equal(expected.Top(1000), top.Entries());
            Assert.Equal(expected.Count, top.Long("total"));

            var (player, score, rank) = expected.Top(1000)[expected.Count / 2];
            var one = await api.GetAsync($"/v1/leaderboards/{board}/players/{player}?asOf={Iso(at)}");
            one.AssertStatus(HttpStatusCode.OK);
            Assert.Equal((score, rank), (one.Long("score"), one.Long("rank")));

            var around = await api.GetAsync($"/v1/leaderboards/{board}/players/{player}/around?above=2&below=2&asOf={Iso(at)}");
            around.AssertStatus(HttpStatusCode.OK);
            Assert.Equal(expected.Top(1000).Skip((int)rank - 3).Take(5).ToArray(), around.Entries());
        }
    }

    [Fact]
    public async Task the_same_instant_asked_twice_gives_the_same_answer_even_after_new_scores()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SnapshotNode.StartAsync(database);
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var board = await api.CreateBoardAsync();
        await api.SubmitOkAsync(board, "ann", 10);
        await Task.Delay(5);
        var at = DateTimeOffset.UtcNow;
        await Task.Delay(5);

        var before = await api.GetAsync($"/v1/leaderboards/{board}/top?asOf={Iso(at)}");
        await api.SubmitOkAsync(board, "bob", 20);
        var after = await api.GetAsync($"/v1/leaderboards/{board}/top?asOf={Iso(at)}");

        Assert.Equal([("ann", 10L, 1L)], before.Entries());
        Assert.Equal(before.Entries(), after.Entries());
        Assert.Equal(before.Long("sequence"), after.Long("sequence"));
    }

    [Fact]
    public async Task an_instant_in_the_future_of_the_log_is_answered_but_never_cached_as_final()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SnapshotNode.StartAsync(database);
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var board = await api.CreateBoardAsync();
        await api.SubmitOkAsync(board, "ann", 10);
        var future = DateTimeOffset.UtcNow.AddHours(1);

        var first = await api.GetAsync($"/v1/leaderboards/{board}/top?asOf={Iso(future)}");
        Assert.Equal(0, app.Services.GetRequiredService<AsOfBoards>().CachedBoards);
        await api.SubmitOkAsync(board, "bob", 20);
        var second = await api.GetAsync($"/v1/leaderboards/{board}/top?asOf={Iso(future)}");

        Assert.Equal([("ann", 10L, 1L)], first.Entries());
        Assert.Equal([("bob", 20L, 1L), ("ann", 10L, 2L)], second.Entries());
    }

    [Fact]
    public async Task settled_instants_are_cached_up_to_the_configured_number_of_boards()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["Audit:AsOfSettledSeconds"] = "0", ["Audit:AsOfCacheBoards"] = "2" };
        await using var app = await new LeaderboardApp(database, settings).StartAsync();
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var board = await api.CreateBoardAsync();
        var instants = new List<DateTimeOffset>();
        for (var i = 1; i <= 3; i++)
        {
            await api.SubmitOkAsync(board, $"p{i}", i);
            await Task.Delay(5);
            instants.Add(DateTimeOffset.UtcNow);
            await Task.Delay(5);
        }
        var cache = app.Services.GetRequiredService<AsOfBoards>();

        for (var i = 0; i < 3; i++)
        {
            var top = await api.GetAsync($"/v1/leaderboards/{board}/top?asOf={Iso(instants[i])}");
            Assert.Equal(i + 1, top.Long("total"));
            Assert.Equal(Math.Min(i + 1, 2), cache.CachedBoards);
        }
        // The evicted (oldest) instant is built again, with the same answer.
        Assert.Equal(1, (await api.GetAsync($"/v1/leaderboards/{board}/top?asOf={Iso(instants[0])}")).Long("total"));
        Assert.Equal(2, cache.CachedBoards);
    }

    [Fact]
    public async Task an_instant_before_the_board_existed_is_not_found()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SnapshotNode.StartAsync(database);
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var board = await api.CreateBoardAsync();
        await api.SubmitOkAsync(board, "ann", 10);

        (await api.GetAsync($"/v1/leaderboards/{board}/top?asOf={Iso(before)}")).AssertProblem(HttpStatusCode.NotFound);
        (await api.GetAsync($"/v1/leaderboards/{board}/players/ann?asOf={Iso(before)}")).AssertProblem(HttpStatusCode.NotFound);
        (await api.GetAsync($"/v1/leaderboards/{board}/players/ann/around?asOf={Iso(before)}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task an_instant_that_is_not_iso_8601_with_a_zone_is_a_validation_error()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SnapshotNode.StartAsync(database);
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var board = await api.CreateBoardAsync();

        (await api.GetAsync($"/v1/leaderboards/{board}/top?asOf=yesterday")).AssertValidationError("asOf");
        (await api.GetAsync($"/v1/leaderboards/{board}/top?asOf=2026-01-01T00:00:00")).AssertValidationError("asOf");
    }
}
