using System.Text.Json;
using System.Text.Json.Nodes;
using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client.Tests;

public sealed class JsonShapeTests
{
    [Fact]
    public async Task a_board_definition_is_camel_case_with_lowercase_enums_and_no_nulls()
    {
        await using var server = await FakeServer.StartAsync((context, _) => FakeServer.WriteAsync(context, 201, """
            {"boardId":"speedrun","sortOrder":"ascending","updatePolicy":"best","minScore":0,"maxScore":null,
             "topN":100,"displayName":null,"playerCount":0,"sequence":5}
            """));
        using var client = server.CreateClient();

        var outcome = await client.DefineBoardAsync("speedrun", new BoardDefinition(SortOrder.Ascending, UpdatePolicy.Best) { MinScore = 0 });

        var request = server.Requests.Single();
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/v1/leaderboards/speedrun", request.PathAndQuery);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("""{"sortOrder":"ascending","updatePolicy":"best","minScore":0}""", request.Body);
        Assert.True(outcome.Created);
        Assert.Equal(SortOrder.Ascending, outcome.Board!.SortOrder);
        Assert.Equal(5, outcome.Board.Sequence);
    }

    [Fact]
    public async Task an_update_of_an_existing_board_reports_not_created()
    {
        await using var server = await FakeServer.AnswerAsync(200, "");
        using var client = server.CreateClient();

        var outcome = await client.DefineBoardAsync("b", new BoardDefinition(SortOrder.Descending, UpdatePolicy.Increment) { TopN = 10 });

        Assert.False(outcome.Created);
        Assert.Null(outcome.Board);
        Assert.Equal("""{"sortOrder":"descending","updatePolicy":"increment","topN":10}""", server.Requests.Single().Body);
    }

    [Fact]
    public async Task a_submission_carries_its_metadata_object_and_the_result_reads_back()
    {
        await using var server = await FakeServer.AnswerAsync(200, """
            {"playerId":"ana","score":120,"rank":3,"previousRank":7,"changed":true,"duplicate":false,"sequence":1001}
            """);
        using var client = server.CreateClient();

        var result = await client.SubmitScoreAsync("b", new ScoreSubmission("ana", 120)
        {
            SubmissionId = "s1",
            Metadata = new JsonObject { ["country"] = "PT" },
        });

        Assert.Equal("""{"playerId":"ana","score":120,"submissionId":"s1","metadata":{"country":"PT"}}""", server.Requests.Single().Body);
        Assert.Equal(new SubmissionResult("ana", 120, 3, 7, true, false, 1001), result);
    }

    [Fact]
    public async Task read_options_and_paging_become_query_parameters_and_ids_are_escaped()
    {
        await using var server = await FakeServer.AnswerAsync(200, """
            {"total":3,"sequence":9,"entries":[{"rank":1,"playerId":"a/b c","score":9,"metadata":{"name":"A"}}]}
            """);
        using var client = server.CreateClient();
        var asOf = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(2));

        var window = await client.GetAroundAsync("b.1", "a/b c", above: 0, below: 5,
            new ReadOptions { MinSequence = 8, WaitMs = 100, AsOf = asOf });

        Assert.Equal(
            "/v1/leaderboards/b.1/players/a%2Fb%20c/around?above=0&below=5&minSequence=8&waitMs=100&asOf=2026-03-01T10%3A00%3A00.0000000%2B00%3A00",
            server.Requests.Single().PathAndQuery);
        var entry = Assert.Single(window.Entries);
        Assert.Equal("a/b c", entry.PlayerId);
        Assert.Equal("A", (string?)entry.Metadata!["name"]);
    }

    [Fact]
    public async Task unset_query_parameters_are_left_to_the_server_defaults()
    {
        await using var server = await FakeServer.AnswerAsync(200, """{"boardId":"b","total":0,"sequence":0,"entries":[]}""");
        using var client = server.CreateClient();

        await client.GetTopAsync("b");

        Assert.Equal("/v1/leaderboards/b/top", server.Requests.Single().PathAndQuery);
    }

    [Fact]
    public async Task a_player_standing_reads_its_rank_and_top_percent()
    {
        await using var server = await FakeServer.AnswerAsync(200, """
            {"playerId":"p","score":50,"rank":2,"total":200,"topPercent":1.0,"sequence":77}
            """);
        using var client = server.CreateClient();

        var standing = await client.GetPlayerAsync("b", "p");

        Assert.Equal(new PlayerStanding("p", 50, 2, 200, 1.0, 77), standing);
    }

    [Theory]
    [InlineData("beginning", "\"beginning\"")]
    [InlineData("end", "\"end\"")]
    [InlineData("1234", "1234")]
    public async Task a_subscription_start_is_a_keyword_or_a_number(string start, string expectedJson)
    {
        await using var server = await FakeServer.AnswerAsync(201, "");
        using var client = server.CreateClient();
        var startAt = start switch
        {
            "beginning" => SubscriptionStart.Beginning,
            "end" => SubscriptionStart.End,
            _ => SubscriptionStart.At(long.Parse(start, System.Globalization.CultureInfo.InvariantCulture)),
        };

        var created = await client.DefineSubscriptionAsync("g", new SubscriptionGroupDefinition(["*"]) { StartAt = startAt, Kinds = [MessageKinds.NewLeader] });

        Assert.True(created);
        Assert.Equal($$"""{"boards":["*"],"kinds":["rank.newLeader"],"startAt":{{expectedJson}}}""", server.Requests.Single().Body);
    }

    [Fact]
    public async Task read_messages_keep_their_kind_specific_data()
    {
        await using var server = await FakeServer.AnswerAsync(200, """
            {"messages":[{"id":"m-1","sequence":12,"kind":"rank.enteredTop","boardId":"b","deliveryCount":2,
              "data":{"playerId":"p","rank":4,"previousRank":null,"topN":10}}]}
            """);
        using var client = server.CreateClient();

        var batch = await client.ReadMessagesAsync("g", new ReadMessagesRequest("worker-1") { Count = 10, WaitMs = 0 });

        Assert.Equal("""{"consumer":"worker-1","count":10,"waitMs":0}""", server.Requests.Single().Body);
        var message = Assert.Single(batch.Messages);
        Assert.Equal((MessageKinds.EnteredTop, 2), (message.Kind, message.DeliveryCount));
        Assert.Equal(4, message.Data.GetProperty("rank").GetInt32());
        Assert.Equal(JsonValueKind.Null, message.Data.GetProperty("previousRank").ValueKind);
    }

    [Theory]
    [InlineData("\"9f2c\"", "9f2c")]
    [InlineData("18446744073709551615", "18446744073709551615")]
    public async Task a_verify_checksum_is_kept_as_text_whether_string_or_number(string json, string expected)
    {
        await using var server = await FakeServer.AnswerAsync(200, $$"""{"consistent":true,"players":3,"sequence":10,"checksum":{{json}}}""");
        using var client = server.CreateClient();

        var report = await client.VerifyBoardAsync("b");

        Assert.Equal(new VerificationReport(true, 3, 10, expected), report);
        Assert.Equal("/v1/admin/leaderboards/b/verify", server.Requests.Single().PathAndQuery);
    }

    [Fact]
    public async Task history_events_read_their_timestamps_and_paging_is_sent()
    {
        await using var server = await FakeServer.AnswerAsync(200, """
            {"sequence":2047,"nextAfterSequence":5,
             "events":[{"sequence":5,"type":"score.submitted","score":10,"resultingScore":10,
                        "timestamp":"2026-01-01T00:00:00Z","submissionId":"s","submittedBy":"ingest-key"}]}
            """);
        using var client = server.CreateClient();

        var history = await client.GetPlayerHistoryAsync("b", "p", limit: 1, afterSequence: 4, read: new ReadOptions { MinSequence = 9 });

        Assert.Equal("/v1/leaderboards/b/players/p/history?limit=1&afterSequence=4&minSequence=9", server.Requests.Single().PathAndQuery);
        Assert.Equal(2047, history.Sequence);
        Assert.Equal(5, history.NextAfterSequence);
        var e = Assert.Single(history.Events);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Equal("ingest-key", e.SubmittedBy);
    }
}
