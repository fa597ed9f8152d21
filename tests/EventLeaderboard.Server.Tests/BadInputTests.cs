using System.Net;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

/// <summary>Every kind of bad input is answered with a problem document, and nothing is appended.</summary>
public sealed class BadInputTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));
    string _board = "";

    public async Task InitializeAsync() => _board = await _admin.CreateBoardAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string, string> BadSubmissions => new()
    {
        { """{"playerId":"p","score":}""", "body" },
        { """{"playerId":"p","score":12""", "body" },
        { """{"playerId":"p","score":"12"}""", "score" },
        { """{"playerId":"p","score":1.5}""", "score" },
        { """{"playerId":"p","score":9223372036854775808}""", "score" },
        { """{"playerId":"p","score":-9223372036854775809}""", "score" },
        { """{"playerId":"p","score":1e3}""", "score" },
        { """{"playerId":"p"}""", "score" },
        { """{"playerId":"p","score":null}""", "score" },
        { """{"score":1}""", "playerId" },
        { """{"playerId":"","score":1}""", "playerId" },
        { """{"playerId":42,"score":1}""", "playerId" },
        { $$"""{"playerId":"{{new string('x', 129)}}","score":1}""", "playerId" },
        { $$"""{"playerId":"{{string.Concat(Enumerable.Repeat("é", 65))}}","score":1}""", "playerId" },
        { """{"playerId":"bell\u0007","score":1}""", "playerId" },
        { """{"playerId":"new\nline","score":1}""", "playerId" },
        { """{"playerId":"p","score":1,"submissionId":"has space"}""", "submissionId" },
        { """{"playerId":"p","score":1,"submissionId":""}""", "submissionId" },
        { $$"""{"playerId":"p","score":1,"submissionId":"{{new string('s', 65)}}"}""", "submissionId" },
        { """{"playerId":"p","score":1,"metadata":"not an object"}""", "metadata" },
        { """{"playerId":"p","score":1,"metadata":[1,2]}""", "metadata" },
        { $$$"""{"playerId":"p","score":1,"metadata":{"blob":"{{{new string('m', 1100)}}}"}}""", "metadata" },
        { "", "body" },
        { "[]", "body" },
        { "null", "body" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task a_bad_submission_is_a_400_problem_naming_the_field_and_appends_nothing(string body, string field)
    {
        var before = await fixture.App.EventCountAsync();

        var reply = await _admin.PostRawAsync($"/v1/leaderboards/{_board}/scores", body);

        reply.AssertValidationError(field);
        Assert.Equal(before, await fixture.App.EventCountAsync());
        Assert.Equal(0, (await _admin.GetAsync($"/v1/leaderboards/{_board}")).Long("playerCount"));
    }

    [Fact]
    public async Task the_longest_valid_ids_and_metadata_are_accepted()
    {
        var playerId = string.Concat(Enumerable.Repeat("é", 64)); // 128 UTF-8 bytes
        var reply = await _admin.SubmitAsync(_board, new
        {
            playerId,
            score = long.MinValue,
            submissionId = new string('s', 64),
            metadata = new { blob = new string('m', 1000) },
        });

        reply.AssertStatus(HttpStatusCode.OK);
        (await _admin.DeleteAsync($"/v1/leaderboards/{_board}/players/{Uri.EscapeDataString(playerId)}")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_body_over_the_size_limit_is_a_413_problem()
    {
        var scores = string.Join(",", Enumerable.Range(0, 1000).Select(i => $$$"""{"playerId":"p{{{i}}}","score":1,"metadata":{"pad":"{{{new string('x', 1000)}}}"}}"""));
        var before = await fixture.App.EventCountAsync();

        var reply = await _admin.PostRawAsync($"/v1/leaderboards/{_board}/scores/batch", $$"""{"scores":[{{scores}}]}""");

        reply.AssertProblem(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await fixture.App.EventCountAsync());
    }

    [Fact]
    public async Task an_unknown_route_is_a_404_problem()
    {
        var reply = await _admin.GetAsync("/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
    }
}
