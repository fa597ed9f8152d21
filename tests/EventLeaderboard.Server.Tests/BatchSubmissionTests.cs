using System.Net;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

public sealed class BatchSubmissionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));
    readonly Api _ingest = new(fixture.App.ClientWith(LeaderboardApp.IngestKey));

    [Fact]
    public async Task a_batch_is_applied_in_order_and_answers_each_item_in_order()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "increment");

        var reply = await _ingest.BatchAsync(boardId, new
        {
            scores = new object[]
            {
                new { playerId = "a", score = 5 },
                new { playerId = "b", score = 7 },
                new { playerId = "a", score = 3 },
            },
        });

        reply.AssertStatus(HttpStatusCode.OK);
        var results = reply.Json.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        Assert.Equal(("a", 5L, 1L), Result(results[0]));
        Assert.Equal(("b", 7L, 1L), Result(results[1]));
        Assert.Equal(("a", 8L, 1L), Result(results[2]));
        Assert.Equal(2, results[2].GetProperty("previousRank").GetInt64());
        // One batch, one event: consecutive positions.
        Assert.Equal(results[0].GetProperty("sequence").GetInt64() + 2, results[2].GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task one_invalid_item_rejects_the_whole_batch_and_names_the_item()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "best", new { maxScore = 1000 });
        var before = await fixture.App.EventCountAsync();

        var reply = await _ingest.BatchAsync(boardId, new
        {
            scores = new object[]
            {
                new { playerId = "ok", score = 5 },
                new { playerId = "ok2", score = 6 },
                new { playerId = "ok3", score = 7 },
                new { playerId = "too-high", score = 5000 },
            },
        });

        reply.AssertValidationError("scores[3].score");
        Assert.Equal(before, await fixture.App.EventCountAsync());
        Assert.Equal(0, (await _admin.GetAsync($"/v1/leaderboards/{boardId}")).Long("playerCount"));
    }

    [Fact]
    public async Task a_malformed_item_is_reported_by_its_path()
    {
        var boardId = await _admin.CreateBoardAsync();

        var shape = await _ingest.BatchAsync(boardId, new { scores = new object[] { new { playerId = "a", score = 1 }, new { playerId = "", score = 1 } } });
        shape.AssertValidationError("scores[1].playerId");

        var type = await _ingest.PostRawAsync($"/v1/leaderboards/{boardId}/scores/batch", """{"scores":[{"playerId":"a","score":1},{"playerId":"b","score":"high"}]}""");
        type.AssertValidationError("scores[1].score");
    }

    [Fact]
    public async Task a_large_batch_keeps_every_item_and_its_metadata_and_reports_a_bad_item_by_its_path()
    {
        // ~90 KB: the body arrives in many pipe segments and is parsed from one copy of them.
        var boardId = await _admin.CreateBoardAsync();
        var items = Enumerable.Range(0, 600).Select(i => $$$"""{"playerId":"big-{{{i}}}","score":{{{i}}},"metadata":{"i":{{{i}}},"pad":"{{{Pad(i)}}}"}}""").ToList();

        (await _ingest.PostRawAsync($"/v1/leaderboards/{boardId}/scores/batch", $$"""{"scores":[{{string.Join(",", items)}}]}""")).AssertStatus(HttpStatusCode.OK);

        foreach (var i in new[] { 0, 299, 599 })
        {
            var player = await _admin.GetAsync($"/v1/leaderboards/{boardId}/players/big-{i}");
            Assert.Equal(i, player.Long("score"));
            Assert.Equal(i, player.Json.GetProperty("metadata").GetProperty("i").GetInt64());
            Assert.Equal(Pad(i), player.Json.GetProperty("metadata").GetProperty("pad").GetString());
        }
        items[500] = """{"playerId":"big-500","score":"high"}""";
        var bad = await _ingest.PostRawAsync($"/v1/leaderboards/{boardId}/scores/batch", $$"""{"scores":[{{string.Join(",", items)}}]}""");
        bad.AssertValidationError("scores[500].score");

        static string Pad(int i) => new((char)('a' + i % 26), 100);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task a_batch_must_hold_1_to_1000_scores(int count)
    {
        var boardId = await _admin.CreateBoardAsync();
        var scores = Enumerable.Range(0, count).Select(i => new { playerId = $"p{i}", score = i }).ToArray();

        (await _ingest.BatchAsync(boardId, new { scores })).AssertValidationError("scores");
    }

    [Fact]
    public async Task a_full_batch_of_1000_is_accepted()
    {
        var boardId = await _admin.CreateBoardAsync();
        var scores = Enumerable.Range(0, 1000).Select(i => new { playerId = $"p{i}", score = i, submissionId = $"s{i}" }).ToArray();

        var reply = await _ingest.BatchAsync(boardId, new { scores });

        reply.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(1000, (await _admin.GetAsync($"/v1/leaderboards/{boardId}")).Long("playerCount"));
        Assert.Equal(1, (await _admin.GetAsync($"/v1/leaderboards/{boardId}/players/p999")).Long("rank"));
    }

    static (string, long, long) Result(System.Text.Json.JsonElement e) =>
        (e.GetProperty("playerId").GetString()!, e.GetProperty("score").GetInt64(), e.GetProperty("rank").GetInt64());
}
