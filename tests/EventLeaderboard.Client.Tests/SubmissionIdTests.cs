using System.Text.Json;
using EventLeaderboard.Client.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace EventLeaderboard.Client.Tests;

public sealed class SubmissionIdTests
{
    private const string OneResult = """{"playerId":"p1","score":10,"rank":1,"previousRank":null,"changed":true,"duplicate":false,"sequence":42}""";

    [Fact]
    public async Task a_submission_without_an_id_is_sent_with_a_generated_one()
    {
        await using var server = await FakeServer.AnswerAsync(200, OneResult);
        using var client = server.CreateClient();

        await client.SubmitScoreAsync("b", new ScoreSubmission("p1", 10));

        var id = SubmissionIdOf(server.Requests.Single().Body);
        Assert.Matches("^[A-Za-z0-9_.:-]{1,64}$", id);
    }

    [Fact]
    public async Task an_id_given_by_the_caller_is_sent_unchanged()
    {
        await using var server = await FakeServer.AnswerAsync(200, OneResult);
        using var client = server.CreateClient();

        await client.SubmitScoreAsync("b", new ScoreSubmission("p1", 10) { SubmissionId = "match-7:p1" });

        Assert.Equal("match-7:p1", SubmissionIdOf(server.Requests.Single().Body));
    }

    [Fact]
    public async Task when_the_first_attempt_fails_the_retry_carries_the_same_generated_id()
    {
        var attempts = 0;
        await using var server = await FakeServer.StartAsync((context, _) =>
            Interlocked.Increment(ref attempts) == 1
                ? FakeServer.WriteAsync(context, 500, """{"status":500}""", "application/problem+json")
                : FakeServer.WriteAsync(context, 200, OneResult));
        await using var provider = ResilientClientServices(server);
        var client = provider.GetRequiredService<LeaderboardClient>();

        var result = await client.SubmitScoreAsync("b", new ScoreSubmission("p1", 10));

        Assert.Equal(42, result.Sequence);
        var ids = server.Requests.Select(r => SubmissionIdOf(r.Body)).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0], ids[1]);
    }

    [Fact]
    public async Task a_retried_batch_repeats_each_items_id_and_ids_differ_between_items()
    {
        var attempts = 0;
        await using var server = await FakeServer.StartAsync((context, _) =>
            Interlocked.Increment(ref attempts) == 1
                ? FakeServer.WriteAsync(context, 503, """{"status":503}""", "application/problem+json")
                : FakeServer.WriteAsync(context, 200, $$"""{"results":[{{OneResult}},{{OneResult}}]}"""));
        await using var provider = ResilientClientServices(server);
        var client = provider.GetRequiredService<LeaderboardClient>();

        var result = await client.SubmitScoresAsync("b", [new ScoreSubmission("p1", 10), new ScoreSubmission("p2", 20)]);

        Assert.Equal(2, result.Results.Count);
        var bodies = server.Requests.Select(r => BatchIdsOf(r.Body)).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Equal(bodies[0], bodies[1]);
        Assert.NotEqual(bodies[0][0], bodies[0][1]);
    }

    [Fact]
    public async Task a_removal_is_not_retried_because_a_repeat_would_answer_differently()
    {
        await using var server = await FakeServer.AnswerAsync(500, """{"status":500}""", "application/problem+json");
        await using var provider = ResilientClientServices(server);
        var client = provider.GetRequiredService<LeaderboardClient>();

        await Assert.ThrowsAnyAsync<Problems.LeaderboardProblemException>(() => client.RemovePlayerAsync("b", "p1"));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task with_id_generation_off_a_submission_goes_without_id_and_is_not_retried()
    {
        await using var server = await FakeServer.AnswerAsync(500, """{"status":500}""", "application/problem+json");
        await using var provider = ResilientClientServices(server, o => o.GenerateSubmissionIds = false);
        var client = provider.GetRequiredService<LeaderboardClient>();

        await Assert.ThrowsAnyAsync<Problems.LeaderboardProblemException>(() => client.SubmitScoreAsync("b", new ScoreSubmission("p1", 1)));

        var request = Assert.Single(server.Requests);
        Assert.False(JsonDocument.Parse(request.Body).RootElement.TryGetProperty("submissionId", out _));
    }

    [Fact]
    public async Task a_failing_read_is_retried_until_it_succeeds()
    {
        var attempts = 0;
        await using var server = await FakeServer.StartAsync((context, _) =>
            Interlocked.Increment(ref attempts) <= 2
                ? FakeServer.WriteAsync(context, 503, """{"status":503}""", "application/problem+json")
                : FakeServer.WriteAsync(context, 200, """{"boardId":"b","total":0,"sequence":3,"entries":[]}"""));
        await using var provider = ResilientClientServices(server);
        var client = provider.GetRequiredService<LeaderboardClient>();

        var page = await client.GetTopAsync("b");

        Assert.Equal(3, page.Sequence);
        Assert.Equal(3, server.Requests.Count);
    }

    private static ServiceProvider ResilientClientServices(FakeServer server, Action<LeaderboardClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLeaderboardClient(
            o =>
            {
                o.BaseAddress = server.Address;
                o.ApiKey = "k";
                configure?.Invoke(o);
            },
            // Tiny constant delays keep the test fast; the predicate under test is the client's, not these.
            r =>
            {
                r.Retry.Delay = TimeSpan.FromMilliseconds(1);
                r.Retry.BackoffType = DelayBackoffType.Constant;
                r.Retry.UseJitter = false;
            });
        return services.BuildServiceProvider();
    }

    private static string SubmissionIdOf(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("submissionId").GetString()!;

    private static List<string> BatchIdsOf(string body) =>
        [.. JsonDocument.Parse(body).RootElement.GetProperty("scores").EnumerateArray().Select(s => s.GetProperty("submissionId").GetString()!)];
}
