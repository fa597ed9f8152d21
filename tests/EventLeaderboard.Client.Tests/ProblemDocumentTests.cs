using System.Net;
using EventLeaderboard.Client.Contracts;
using EventLeaderboard.Client.Problems;

namespace EventLeaderboard.Client.Tests;

public sealed class ProblemDocumentTests
{
    [Fact]
    public async Task when_a_batch_is_rejected_the_errors_come_back_keyed_by_field_path()
    {
        await using var server = await FakeServer.AnswerAsync(400, """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.",
             "status":400,"detail":"Nothing was appended.","traceId":"00-abc",
             "errors":{"scores[3].score":["Score is above maxScore 1000."],"playerId":"Player id is empty."}}
            """, "application/problem+json");
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<LeaderboardValidationException>(() =>
            client.SubmitScoresAsync("b", [new ScoreSubmission("p", 5000)]));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("One or more validation errors occurred.", error.Title);
        Assert.Equal("Nothing was appended.", error.Detail);
        Assert.Equal(["Score is above maxScore 1000."], error.Errors["scores[3].score"]);
        Assert.Equal(["Player id is empty."], error.Errors["playerId"]);
        Assert.Equal("00-abc", error.Extensions["traceId"].GetString());
        Assert.Contains("scores[3].score", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(401, typeof(LeaderboardUnauthorizedException))]
    [InlineData(403, typeof(LeaderboardForbiddenException))]
    [InlineData(404, typeof(LeaderboardNotFoundException))]
    [InlineData(409, typeof(LeaderboardConflictException))]
    [InlineData(503, typeof(LeaderboardUnavailableException))]
    [InlineData(500, typeof(LeaderboardProblemException))]
    public async Task each_status_the_caller_handles_differently_has_its_own_exception(int status, Type expected)
    {
        await using var server = await FakeServer.AnswerAsync(status, $$"""{"title":"t","status":{{status}}}""", "application/problem+json");
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAnyAsync<LeaderboardProblemException>(() => client.GetBoardAsync("b"));

        Assert.Equal(expected, error.GetType());
        Assert.Equal(status, (int)error.Status);
        Assert.Empty(error.Errors);
    }

    [Fact]
    public async Task a_503_with_retry_after_seconds_says_how_long_to_wait()
    {
        await using var server = await FakeServer.StartAsync((context, _) =>
        {
            context.Response.Headers.RetryAfter = "7";
            return FakeServer.WriteAsync(context, 503, """{"title":"Projection behind","status":503}""", "application/problem+json");
        });
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<LeaderboardUnavailableException>(() =>
            client.GetTopAsync("b", read: new ReadOptions { MinSequence = 99, WaitMs = 10 }));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public async Task a_retry_after_date_becomes_the_delay_from_now()
    {
        var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await using var server = await FakeServer.StartAsync((context, _) =>
        {
            context.Response.Headers.RetryAfter = now.AddSeconds(30).ToString("R");
            return FakeServer.WriteAsync(context, 503, """{"status":503}""", "application/problem+json");
        });
        using var client = server.CreateClient(configure: o => o.TimeProvider = new FixedTime(now));

        var error = await Assert.ThrowsAsync<LeaderboardUnavailableException>(() => client.GetTopAsync("b"));

        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }

    [Fact]
    public async Task an_error_that_is_not_a_problem_document_still_throws_with_its_text()
    {
        await using var server = await FakeServer.AnswerAsync(502, "<html>Bad gateway from proxy</html>", "text/html");
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<LeaderboardProblemException>(() => client.ListBoardsAsync());

        Assert.Equal(HttpStatusCode.BadGateway, error.Status);
        Assert.Equal("Bad Gateway", error.Title);
        Assert.Contains("Bad gateway from proxy", error.Detail, StringComparison.Ordinal);
        Assert.Null(error.RetryAfter);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
