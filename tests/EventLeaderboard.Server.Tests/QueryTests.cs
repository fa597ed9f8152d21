using System.Net;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

/// <summary>Queries on a board of ten players p0..p9 with scores 0, 10, ..., 90 (p9 leads).</summary>
public sealed class QueryTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));
    readonly Api _read = new(fixture.App.ClientWith(LeaderboardApp.ReadKey));
    string _board = "";

    public async Task InitializeAsync()
    {
        _board = await _admin.CreateBoardAsync("descending", "best");
        var scores = Enumerable.Range(0, 10).Select(i => new { playerId = $"p{i}", score = i * 10 }).ToArray();
        (await _admin.BatchAsync(_board, new { scores })).AssertStatus(HttpStatusCode.OK);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task top_pages_through_ranks_with_offset_and_limit()
    {
        var page = await _read.GetAsync($"/v1/leaderboards/{_board}/top?limit=3&offset=2");

        page.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(_board, page.Json.GetProperty("boardId").GetString());
        Assert.Equal(10, page.Long("total"));
        Assert.True(page.Long("sequence") > 0);
        Assert.Equal([("p7", 70L, 3L), ("p6", 60L, 4L), ("p5", 50L, 5L)], page.Entries());
    }

    [Fact]
    public async Task top_defaults_to_ten_and_is_empty_past_the_end()
    {
        Assert.Equal(10, (await _read.GetAsync($"/v1/leaderboards/{_board}/top")).Entries().Length);
        Assert.Empty((await _read.GetAsync($"/v1/leaderboards/{_board}/top?offset=50")).Entries());
    }

    [Fact]
    public async Task a_query_string_seen_before_binds_the_same_way_and_a_bad_one_stays_refused()
    {
        for (var i = 0; i < 2; i++)
            Assert.Equal(["p9", "p8"], (await _read.GetAsync($"/v1/leaderboards/{_board}/top?limit=2")).Entries().Select(e => e.Player));
        Assert.Equal(3, (await _read.GetAsync($"/v1/leaderboards/{_board}/top?limit=3")).Entries().Length);
        for (var i = 0; i < 2; i++)
            (await _read.GetAsync($"/v1/leaderboards/{_board}/top?limit=0")).AssertValidationError("limit");
        // The same query string on another endpoint means that endpoint's parameters.
        (await _read.GetAsync($"/v1/leaderboards/{_board}/players/p5/around?limit=2")).AssertStatus(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("asOf=yesterday")]
    [InlineData("ASOF=yesterday")]
    [InlineData("as%4Ff=yesterday")]
    [InlineData("limit=2&asof=yesterday")]
    public async Task asOf_is_recognised_in_any_case_and_when_percent_encoded(string query)
    {
        (await _read.GetAsync($"/v1/leaderboards/{_board}/top?{query}")).AssertValidationError("asOf");
        (await _read.GetAsync($"/v1/leaderboards/{_board}/top?{query}")).AssertValidationError("asOf");
    }

    [Fact]
    public async Task answers_carry_their_content_length()
    {
        var top = await _read.GetAsync($"/v1/leaderboards/{_board}/top?limit=5");

        var body = await top.Response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, top.Response.Content.Headers.ContentLength);
        Assert.NotEqual(true, top.Response.Headers.TransferEncodingChunked);
    }

    [Fact]
    public async Task a_player_query_gives_rank_total_and_top_percent()
    {
        var player = await _read.GetAsync($"/v1/leaderboards/{_board}/players/p7");

        player.AssertStatus(HttpStatusCode.OK);
        Assert.Equal("p7", player.Json.GetProperty("playerId").GetString());
        Assert.Equal(70, player.Long("score"));
        Assert.Equal(3, player.Long("rank"));
        Assert.Equal(10, player.Long("total"));
        Assert.Equal(30.0, player.Json.GetProperty("topPercent").GetDouble(), 6);
    }

    [Fact]
    public async Task around_includes_the_player_and_clips_at_the_ends_instead_of_shifting()
    {
        var middle = await _read.GetAsync($"/v1/leaderboards/{_board}/players/p5/around?above=2&below=1");
        Assert.Equal(["p7", "p6", "p5", "p4"], middle.Entries().Select(e => e.Player));
        Assert.Equal(10, middle.Long("total"));

        var leader = await _read.GetAsync($"/v1/leaderboards/{_board}/players/p9/around?above=3&below=2");
        Assert.Equal(["p9", "p8", "p7"], leader.Entries().Select(e => e.Player));

        var last = await _read.GetAsync($"/v1/leaderboards/{_board}/players/p0/around?above=1&below=5");
        Assert.Equal(["p1", "p0"], last.Entries().Select(e => e.Player));
    }

    [Fact]
    public async Task range_returns_scores_within_inclusive_bounds_in_board_order_with_the_range_total()
    {
        var range = await _read.GetAsync($"/v1/leaderboards/{_board}/range?minScore=20&maxScore=60&limit=2&offset=1");

        range.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(5, range.Long("total"));
        Assert.Equal([("p5", 50L, 5L), ("p4", 40L, 6L)], range.Entries());
    }

    [Fact]
    public async Task lookup_returns_the_known_players_in_rank_order_and_lists_the_missing()
    {
        var reply = await _read.PostAsync($"/v1/leaderboards/{_board}/players/lookup", new { playerIds = new[] { "p1", "ghost", "p8", "p1", "ghost" } });

        reply.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(["p8", "p1"], reply.Entries().Select(e => e.Player));
        Assert.Equal(["ghost"], reply.Json.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        Assert.True(reply.Long("sequence") > 0);
    }

    [Theory]
    [InlineData("top?limit=0", "limit")]
    [InlineData("top?limit=1001", "limit")]
    [InlineData("top?offset=-1", "offset")]
    [InlineData("top?limit=ten", "limit")]
    [InlineData("top?limit=99999999999", "limit")]
    [InlineData("players/p1/around?above=501", "above")]
    [InlineData("players/p1/around?below=-1", "below")]
    [InlineData("range?minScore=10&maxScore=5", "maxScore")]
    [InlineData("range?minScore=99999999999999999999", "minScore")]
    [InlineData("top?minSequence=-5", "minSequence")]
    [InlineData("top?minSequence=1&waitMs=60000", "waitMs")]
    public async Task out_of_range_query_parameters_are_a_400_problem(string query, string field)
    {
        (await _read.GetAsync($"/v1/leaderboards/{_board}/{query}")).AssertValidationError(field);
    }

    [Theory]
    [InlineData("""{"playerIds":[]}""", "playerIds")]
    [InlineData("""{}""", "playerIds")]
    [InlineData("""{"playerIds":["ok",""]}""", "playerIds[1]")]
    public async Task an_invalid_lookup_is_a_400_problem(string body, string field)
    {
        (await _read.PostRawAsync($"/v1/leaderboards/{_board}/players/lookup", body)).AssertValidationError(field);
    }

    [Theory]
    [InlineData("/v1/leaderboards/nope/top")]
    [InlineData("/v1/leaderboards/nope/range")]
    [InlineData("/v1/leaderboards/nope/players/p1")]
    [InlineData("/v1/leaderboards/nope/players/p1/around")]
    public async Task unknown_boards_are_404_problems(string path)
    {
        (await _read.GetAsync(path)).AssertProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("players/ghost")]
    [InlineData("players/ghost/around")]
    public async Task unknown_players_are_404_problems(string path)
    {
        (await _read.GetAsync($"/v1/leaderboards/{_board}/{path}")).AssertProblem(HttpStatusCode.NotFound);
    }
}
