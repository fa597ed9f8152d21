using System.Net;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

public sealed class BoardDefinitionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));

    [Fact]
    public async Task when_a_board_is_defined_it_is_created_with_defaults_and_can_be_read_back()
    {
        var boardId = Api.NewBoardId();

        var created = await _admin.PutBoardAsync(boardId, new { sortOrder = "ascending", updatePolicy = "latest", displayName = "Speedrun" });

        created.AssertStatus(HttpStatusCode.Created);
        var board = await _admin.GetAsync($"/v1/leaderboards/{boardId}");
        board.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(boardId, board.Json.GetProperty("boardId").GetString());
        Assert.Equal("ascending", board.Json.GetProperty("sortOrder").GetString());
        Assert.Equal("latest", board.Json.GetProperty("updatePolicy").GetString());
        Assert.Equal(100, board.Json.GetProperty("topN").GetInt32());
        Assert.Equal("Speedrun", board.Json.GetProperty("displayName").GetString());
        Assert.Equal(0, board.Long("playerCount"));
        Assert.True(board.Long("sequence") >= created.Long("sequence"));
    }

    [Fact]
    public async Task when_a_board_is_defined_again_it_is_updated_and_omitted_fields_keep_their_values()
    {
        var boardId = Api.NewBoardId();
        (await _admin.PutBoardAsync(boardId, new { sortOrder = "descending", updatePolicy = "best", minScore = 0, maxScore = 1000, topN = 10, displayName = "A" }))
            .AssertStatus(HttpStatusCode.Created);

        var updated = await _admin.PutBoardAsync(boardId, new { sortOrder = "descending", updatePolicy = "best", maxScore = 5000 });

        updated.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(0, updated.Long("minScore"));
        Assert.Equal(5000, updated.Long("maxScore"));
        Assert.Equal(10, updated.Json.GetProperty("topN").GetInt32());
        Assert.Equal("A", updated.Json.GetProperty("displayName").GetString());
    }

    [Theory]
    [InlineData("ascending", "best")]
    [InlineData("descending", "increment")]
    public async Task when_a_fixed_setting_changes_the_definition_is_refused_with_409(string sortOrder, string updatePolicy)
    {
        var boardId = await _admin.CreateBoardAsync("descending", "best");
        var before = await fixture.App.EventCountAsync();

        var reply = await _admin.PutBoardAsync(boardId, new { sortOrder, updatePolicy });

        reply.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(before, await fixture.App.EventCountAsync());
    }

    [Fact]
    public async Task boards_are_listed_with_their_player_counts()
    {
        var boardId = await _admin.CreateBoardAsync();
        await _admin.SubmitOkAsync(boardId, "p1", 5);

        var list = await _admin.GetAsync("/v1/leaderboards");

        list.AssertStatus(HttpStatusCode.OK);
        var item = list.Json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("boardId").GetString() == boardId);
        Assert.Equal(1, item.GetProperty("playerCount").GetInt64());
        Assert.Equal("best", item.GetProperty("updatePolicy").GetString());
    }

    [Fact]
    public async Task an_unknown_board_is_a_404_problem()
    {
        (await _admin.GetAsync("/v1/leaderboards/no-such-board")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"sortOrder":"sideways","updatePolicy":"best"}""", "sortOrder")]
    [InlineData("""{"sortOrder":"descending","updatePolicy":"sometimes"}""", "updatePolicy")]
    [InlineData("""{"updatePolicy":"best"}""", "sortOrder")]
    [InlineData("""{"sortOrder":"descending","updatePolicy":"best","minScore":10,"maxScore":5}""", "maxScore")]
    [InlineData("""{"sortOrder":"descending","updatePolicy":"best","topN":0}""", "topN")]
    [InlineData("""{"sortOrder":"descending","updatePolicy":"best","minScore":"ten"}""", "minScore")]
    public async Task an_invalid_definition_is_a_400_problem_and_creates_nothing(string body, string field)
    {
        var boardId = Api.NewBoardId();
        var before = await fixture.App.EventCountAsync();

        var reply = await SendRawPut(boardId, body);

        reply.AssertValidationError(field);
        Assert.Equal(before, await fixture.App.EventCountAsync());
        (await _admin.GetAsync($"/v1/leaderboards/{boardId}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_board_id_with_forbidden_characters_is_a_400_problem()
    {
        var reply = await _admin.PutBoardAsync("bad%20id", new { sortOrder = "descending", updatePolicy = "best" });

        reply.AssertValidationError("boardId");
    }

    async Task<Reply> SendRawPut(string boardId, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        return await Reply.ReadAsync(await _admin.Client.PutAsync($"/v1/leaderboards/{boardId}", content));
    }
}

/// <summary>
/// Two PUTs that both see no board both append a <see cref="Events.BoardDefined"/>; the later one
/// is applied as an update. These drive the projection with such a log directly, because the race
/// itself cannot be forced through the API deterministically.
/// </summary>
public sealed class RacingBoardDefinitionTests
{
    static Projection.LeaderboardProjection NewProjection() =>
        new(Microsoft.Extensions.Options.Options.Create(new Configuration.IngestOptions()));

    static Events.BoardDefined Defined(int? topN, long? maxScore = null, string? displayName = null) =>
        new("raced", "descending", "best", null, maxScore, topN, displayName, "admin", DateTimeOffset.UnixEpoch);

    /// <summary>The stored form, as every node and every replay reads it back.</summary>
    static Events.BoardDefined ThroughTheLog(Events.BoardDefined evt) =>
        System.Text.Json.JsonSerializer.Deserialize(
            System.Text.Json.JsonSerializer.Serialize(evt, Events.EventJsonContext.Default.BoardDefined),
            Events.EventJsonContext.Default.BoardDefined)!;

    [Fact]
    public void when_a_racing_definition_omits_topN_the_stored_topN_is_kept()
    {
        var projection = NewProjection();

        projection.ApplyBoardDefined(1, ThroughTheLog(Defined(topN: 500, maxScore: 1000, displayName: "First")));
        var second = projection.ApplyBoardDefined(2, ThroughTheLog(Defined(topN: null)));

        Assert.Equal(Ingest.BoardChangeKind.Updated, second.Kind);
        Assert.True(projection.TryGetBoard("raced", out var board));
        Assert.Equal(500, board.Config.TopN);
        Assert.Equal(1000, board.Config.MaxScore);
        Assert.Equal("First", board.Config.DisplayName);
    }

    [Fact]
    public void when_a_racing_definition_sends_topN_it_wins_and_a_first_definition_without_topN_gets_the_default()
    {
        var projection = NewProjection();

        var first = projection.ApplyBoardDefined(1, ThroughTheLog(Defined(topN: null)));
        Assert.Equal(Projection.BoardConfig.DefaultTopN, first.Config!.TopN);
        projection.ApplyBoardDefined(2, ThroughTheLog(Defined(topN: 7)));

        Assert.True(projection.TryGetBoard("raced", out var board));
        Assert.Equal(7, board.Config.TopN);
    }

    [Fact]
    public void a_definition_stored_before_topN_became_optional_still_reads_its_number()
    {
        const string stored = """{"boardId":"raced","sortOrder":"descending","updatePolicy":"best","minScore":null,"maxScore":null,"topN":25,"displayName":null,"definedBy":"admin","definedAt":"2026-01-01T00:00:00+00:00"}""";
        var evt = System.Text.Json.JsonSerializer.Deserialize(stored, Events.EventJsonContext.Default.BoardDefined)!;

        var projection = NewProjection();
        projection.ApplyBoardDefined(1, evt);

        Assert.True(projection.TryGetBoard("raced", out var board));
        Assert.Equal(25, board.Config.TopN);
    }
}
