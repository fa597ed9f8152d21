using System.Net;
using System.Text.Json;
using EventLeaderboard.Server.History;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventLeaderboard.Server.Tests.History;

/// <summary>GET .../players/{playerId}/history through the HTTP API, answered from the history index.</summary>
public sealed class HistoryTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));
    readonly Api _ingest = new(fixture.App.ClientWith(LeaderboardApp.IngestKey));
    readonly Api _reader = new(fixture.App.ClientWith(LeaderboardApp.ReadKey));

    /// <summary>One event as the API shows it.</summary>
    internal sealed record Event(long Sequence, string Type, long? Score, long? ResultingScore, string? SubmissionId, string? SubmittedBy, DateTimeOffset Timestamp)
    {
        public static Event From(JsonElement e) => new(
            e.GetProperty("sequence").GetInt64(),
            e.GetProperty("type").GetString()!,
            Nullable(e.GetProperty("score")),
            Nullable(e.GetProperty("resultingScore")),
            e.GetProperty("submissionId").GetString(),
            e.GetProperty("submittedBy").GetString(),
            e.GetProperty("timestamp").GetDateTimeOffset());

        static long? Nullable(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt64();
    }

    async Task<List<Event>> HistoryAsync(string boardId, string playerId, string query = "")
    {
        var reply = await _reader.GetAsync($"/v1/leaderboards/{boardId}/players/{playerId}/history{query}");
        reply.AssertStatus(HttpStatusCode.OK);
        return reply.Json.GetProperty("events").EnumerateArray().Select(Event.From).ToList();
    }

    [Theory]
    [InlineData("best", new long[] { 100, 50, 150 }, new long[] { 100, 100, 150 })]
    [InlineData("latest", new long[] { 100, 50, 150 }, new long[] { 100, 50, 150 })]
    [InlineData("increment", new long[] { 10, 5, -3 }, new long[] { 10, 15, 12 })]
    public async Task each_submission_shows_the_submitted_value_and_the_score_that_resulted(string policy, long[] submitted, long[] resulting)
    {
        var boardId = await _admin.CreateBoardAsync("descending", policy);
        var sequences = new List<long>();
        for (var i = 0; i < submitted.Length; i++)
            sequences.Add((await _ingest.SubmitOkAsync(boardId, "p", submitted[i], submissionId: $"s-{i}")).GetProperty("sequence").GetInt64());

        var history = await HistoryAsync(boardId, "p");

        Assert.Equal(sequences, history.Select(e => e.Sequence));
        Assert.Equal(submitted, history.Select(e => e.Score!.Value));
        Assert.Equal(resulting, history.Select(e => e.ResultingScore!.Value));
        Assert.All(history, e => Assert.Equal("score.submitted", e.Type));
        Assert.Equal(["s-0", "s-1", "s-2"], history.Select(e => e.SubmissionId));
        Assert.All(history, e => Assert.Equal("game-server", e.SubmittedBy));
        Assert.All(history, e => Assert.True(e.Timestamp > DateTimeOffset.UtcNow.AddMinutes(-10) && e.Timestamp < DateTimeOffset.UtcNow.AddMinutes(10)));
    }

    [Fact]
    public async Task an_ascending_best_board_keeps_the_lower_score_as_the_result()
    {
        var boardId = await _admin.CreateBoardAsync("ascending", "best");
        await _ingest.SubmitOkAsync(boardId, "p", 30);
        await _ingest.SubmitOkAsync(boardId, "p", 40);
        await _ingest.SubmitOkAsync(boardId, "p", 20);

        Assert.Equal([30L, 30L, 20L], (await HistoryAsync(boardId, "p")).Select(e => e.ResultingScore!.Value));
    }

    [Fact]
    public async Task a_removal_appears_and_the_history_stays_through_a_fresh_entry()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "increment");
        await _ingest.SubmitOkAsync(boardId, "p", 50);
        await _ingest.SubmitOkAsync(boardId, "other", 7);
        var removed = await _admin.DeleteAsync($"/v1/leaderboards/{boardId}/players/p");
        removed.AssertStatus(HttpStatusCode.OK);

        var afterRemoval = await HistoryAsync(boardId, "p");
        await _ingest.SubmitOkAsync(boardId, "p", 5);
        var history = await HistoryAsync(boardId, "p");

        Assert.Equal(2, afterRemoval.Count);
        Assert.Equal(["score.submitted", "player.removed", "score.submitted"], history.Select(e => e.Type));
        var removal = history[1];
        Assert.Equal(removed.Long("sequence"), removal.Sequence);
        Assert.Null(removal.Score);
        Assert.Null(removal.ResultingScore);
        Assert.Null(removal.SubmissionId);
        Assert.Equal("admin", removal.SubmittedBy);
        Assert.Equal(5, history[2].ResultingScore); // increment starts from zero again
        Assert.Equal([7L], (await HistoryAsync(boardId, "other")).Select(e => e.ResultingScore!.Value));
    }

    [Fact]
    public async Task a_batch_shows_one_event_per_item_in_the_order_given()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "latest");
        var reply = await _ingest.BatchAsync(boardId, new
        {
            scores = new object[]
            {
                new { playerId = "a", score = 1, submissionId = "x1" },
                new { playerId = "b", score = 2 },
                new { playerId = "a", score = 3, submissionId = "x3" },
            },
        });
        reply.AssertStatus(HttpStatusCode.OK);
        var results = reply.Json.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()).ToArray();

        var a = await HistoryAsync(boardId, "a");
        var b = await HistoryAsync(boardId, "b");

        Assert.Equal([results[0], results[2]], a.Select(e => e.Sequence));
        Assert.Equal([1L, 3L], a.Select(e => e.ResultingScore!.Value));
        Assert.Equal(["x1", "x3"], a.Select(e => e.SubmissionId));
        Assert.Equal([results[1]], b.Select(e => e.Sequence));
        Assert.Null(b[0].SubmissionId);
    }

    [Fact]
    public async Task a_repeated_submission_id_adds_no_event()
    {
        var boardId = await _admin.CreateBoardAsync();
        await _ingest.SubmitOkAsync(boardId, "p", 10, submissionId: "once");
        var again = await _ingest.SubmitOkAsync(boardId, "p", 10, submissionId: "once");

        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Single(await HistoryAsync(boardId, "p"));
    }

    [Fact]
    public async Task paging_with_afterSequence_returns_every_event_exactly_once_in_order()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "latest");
        var expected = new List<long>();
        for (var i = 0; i < 23; i++)
        {
            expected.Add((await _ingest.SubmitOkAsync(boardId, "paged", i)).GetProperty("sequence").GetInt64());
            await _ingest.SubmitOkAsync(boardId, "noise-" + (i % 3), i); // other players' events in between
        }

        var seen = new List<long>();
        long after = 0;
        for (var pages = 0; pages < 10; pages++)
        {
            var reply = await _reader.GetAsync($"/v1/leaderboards/{boardId}/players/paged/history?limit=5&afterSequence={after}");
            reply.AssertStatus(HttpStatusCode.OK);
            var events = reply.Json.GetProperty("events").EnumerateArray().Select(Event.From).ToList();
            Assert.True(events.Count <= 5);
            seen.AddRange(events.Select(e => e.Sequence));
            if (reply.NullableLong("nextAfterSequence") is not { } next) break;
            Assert.Equal(events[^1].Sequence, next);
            after = next;
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task a_player_the_board_never_saw_has_an_empty_history()
    {
        var boardId = await _admin.CreateBoardAsync();
        var written = await _ingest.SubmitOkAsync(boardId, "someone", 1);

        var reply = await _reader.GetAsync($"/v1/leaderboards/{boardId}/players/nobody/history");

        reply.AssertStatus(HttpStatusCode.OK);
        Assert.Empty(reply.Json.GetProperty("events").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, reply.Json.GetProperty("nextAfterSequence").ValueKind);
        // Empty, and complete up to at least the write answered before the read: not empty for lack of indexing.
        Assert.True(reply.Long("sequence") >= written.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task an_unknown_board_is_404()
    {
        var reply = await _reader.GetAsync($"/v1/leaderboards/{Api.NewBoardId()}/players/p/history");

        reply.AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_page_is_one_range_scan_of_the_hashed_player_key()
    {
        var boardId = await _admin.CreateBoardAsync();
        for (var i = 0; i < 3; i++) await _ingest.SubmitOkAsync(boardId, "scanned", 10 + i);
        Assert.Equal(3, (await HistoryAsync(boardId, "scanned")).Count);
        await using var connection = new NpgsqlConnection(fixture.App.ConnectionString);
        await connection.OpenAsync();
        // With sequential scans priced out, only a query that spells the index's key expression
        // exactly gets an index scan; any other form falls back to the (disabled) table scan.
        await using (var noSeqScan = new NpgsqlCommand("SET enable_seqscan = off", connection)) await noSeqScan.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN " + fixture.App.Services.GetRequiredService<HistoryReader>().PageSql, connection);
        explain.Parameters.AddWithValue("b", boardId);
        explain.Parameters.AddWithValue("p", "scanned");
        explain.Parameters.AddWithValue("after", 0L);
        explain.Parameters.AddWithValue("limit", 100);
        var plan = new List<string>();
        await using (var rows = await explain.ExecuteReaderAsync())
            while (await rows.ReadAsync()) plan.Add(rows.GetString(0));

        Assert.Contains(plan, line => line.Contains($"Index Scan using {HistoryTables.KeyIndex} on {HistoryTables.Rows}", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains($"Seq Scan on {HistoryTables.Rows}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?afterSequence=-1", "afterSequence")]
    [InlineData("?afterSequence=x", "afterSequence")]
    [InlineData("?waitMs=30001", "waitMs")]
    public async Task bad_paging_parameters_are_a_400_problem(string query, string field)
    {
        var boardId = await _admin.CreateBoardAsync();

        var reply = await _reader.GetAsync($"/v1/leaderboards/{boardId}/players/p/history{query}");

        reply.AssertValidationError(field);
    }

    [Fact]
    public async Task reading_history_needs_a_key_with_the_read_role()
    {
        var boardId = await _admin.CreateBoardAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await new Api(fixture.App.ClientWith(null)).GetAsync($"/v1/leaderboards/{boardId}/players/p/history")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await _ingest.GetAsync($"/v1/leaderboards/{boardId}/players/p/history")).Status);
    }
}
