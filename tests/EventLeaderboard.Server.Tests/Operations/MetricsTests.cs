using System.Net;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Operations;

public sealed class MetricsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly LeaderboardApp _app = fixture.App;

    [Fact]
    public async Task after_a_submission_metrics_serves_our_instruments_in_prometheus_text_format()
    {
        var api = new Api(_app.ClientWith(LeaderboardApp.AdminKey));
        var boardId = await api.CreateBoardAsync();
        await api.SubmitOkAsync(boardId, "alice", 10);
        await api.SubmitOkAsync(boardId, "bob", 20);

        // The exporter caches a scrape briefly; the board gauge is read at scrape time, so retry until it shows.
        string text = "";
        for (var attempt = 0; attempt < 100 && !text.Contains($"board=\"{boardId}\"}} 2", StringComparison.Ordinal); attempt++)
        {
            var response = await _app.ClientWith(null).GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
            text = await response.Content.ReadAsStringAsync();
            await Task.Delay(100);
        }

        Assert.Contains($"leaderboard_board_players{{otel_scope_name=\"EventLeaderboard\",otel_scope_version=\"1.0\",board=\"{boardId}\"}} 2", text);
        Assert.Matches(@"leaderboard_scores_committed_total\{[^}]*\} [1-9]", text);
        Assert.Contains("leaderboard_group_commit_batch_size_bucket", text);
        Assert.Contains("leaderboard_group_commit_duration_seconds_bucket", text);
        Assert.Contains("leaderboard_projection_lag", text);
        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task every_answer_carries_a_request_id_and_a_sane_caller_id_is_kept()
    {
        var client = _app.ClientWith(null);
        using var mine = new HttpRequestMessage(HttpMethod.Get, "/v1/leaderboards/none/top");
        mine.Headers.Add("X-Request-Id", "order-42.retry-1");
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        forged.Headers.Add("X-Request-Id", "bad id\twith spaces");

        var kept = await Reply.ReadAsync(await client.SendAsync(mine));
        var replaced = await client.SendAsync(forged);

        Assert.Equal("order-42.retry-1", kept.Response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("order-42.retry-1", kept.Json.GetProperty("traceId").GetString());
        var generated = replaced.Headers.GetValues("X-Request-Id").Single();
        Assert.NotEqual("bad id\twith spaces", generated);
        Assert.False(string.IsNullOrWhiteSpace(generated));
    }
}
