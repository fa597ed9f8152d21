using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

/// <summary>Two nodes on one database, and read-your-writes through minSequence.</summary>
public sealed class ConsistencyTests : IAsyncLifetime
{
    LeaderboardApp _nodeA = null!;
    LeaderboardApp _nodeB = null!;
    Api _a = null!;
    Api _b = null!;

    public async Task InitializeAsync()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        // A long poll interval, so that only NOTIFY or minSequence waiting can make node B see writes quickly.
        var settings = new Dictionary<string, string?> { ["Ingest:PollIntervalMs"] = "60000" };
        _nodeA = await new LeaderboardApp(database, settings, "node-a").StartAsync();
        _nodeB = await new LeaderboardApp(database, settings, "node-b").StartAsync();
        _a = new Api(_nodeA.ClientWith(LeaderboardApp.AdminKey));
        _b = new Api(_nodeB.ClientWith(LeaderboardApp.AdminKey));
    }

    public async Task DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
    }

    [Fact]
    public async Task a_read_with_the_sequence_of_a_write_on_another_node_reflects_that_write()
    {
        var boardId = await _a.CreateBoardAsync();
        var written = await _a.SubmitOkAsync(boardId, "p", 42);

        var read = await _b.GetAsync($"/v1/leaderboards/{boardId}/players/p?minSequence={written.GetProperty("sequence").GetInt64()}");

        read.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(42, read.Long("score"));
        Assert.True(read.Long("sequence") >= written.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task a_read_that_cannot_reach_min_sequence_in_time_is_a_503_problem_with_retry_after()
    {
        var boardId = await _a.CreateBoardAsync();

        var reply = await _b.GetAsync($"/v1/leaderboards/{boardId}/top?minSequence=999999999999&waitMs=100");

        reply.AssertProblem(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(reply.Response.Headers.RetryAfter);
    }

    [Fact]
    public async Task two_nodes_taking_writes_concurrently_hold_identical_rankings_ties_included()
    {
        var boardId = await _a.CreateBoardAsync("descending", "latest");
        var random = new Random(1234);
        var plan = Enumerable.Range(0, 400).Select(i => (Player: $"p{random.Next(60)}", Score: (long)random.Next(8), OnA: i % 2 == 0)).ToArray();

        var answers = await Task.WhenAll(plan.Chunk(50).Select(async chunk =>
        {
            long last = 0;
            foreach (var (player, score, onA) in chunk)
                last = Math.Max(last, (await (onA ? _a : _b).SubmitOkAsync(boardId, player, score)).GetProperty("sequence").GetInt64());
            return last;
        }));
        var head = answers.Max();

        var topA = await _a.GetAsync($"/v1/leaderboards/{boardId}/top?limit=1000&minSequence={head}");
        var topB = await _b.GetAsync($"/v1/leaderboards/{boardId}/top?limit=1000&minSequence={head}");

        topA.AssertStatus(HttpStatusCode.OK);
        topB.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(topA.Entries(), topB.Entries());
        Assert.True(topA.Entries().Length > 30);
        // Only 8 distinct scores for many players: ties decided by position, the same on both nodes.
        Assert.Contains(topA.Entries().GroupBy(e => e.Score), g => g.Count() > 1);
    }
}
