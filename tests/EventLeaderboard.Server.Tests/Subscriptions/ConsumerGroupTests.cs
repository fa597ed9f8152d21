using System.Net;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Subscriptions;

public sealed class ConsumerGroupTests(SubscriptionAppFixture fixture) : IClassFixture<SubscriptionAppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));
    GroupApi Groups => new(_admin);

    [Fact]
    public async Task a_group_from_the_beginning_receives_the_board_definition_and_every_score_in_order()
    {
        var boardId = await _admin.CreateBoardAsync(extra: new { topN = 2 });
        await _admin.SubmitOkAsync(boardId, "alice", 10, submissionId: "s1");
        await _admin.SubmitOkAsync(boardId, "bob", 20);
        var group = await Groups.CreateAsync(new { boards = new[] { boardId }, startAt = "beginning" });

        var messages = await Groups.ReadAtLeastAsync(group, "c1", 9);

        Assert.Equal(
        [
            "board.defined",
            "score.submitted alice score=10 rank=1 prev=null",
            "rank.changed alice rank=1 prev=null",
            "rank.enteredTop alice rank=1 prev=null",
            "rank.newLeader alice prev=null",
            "score.submitted bob score=20 rank=1 prev=null",
            "rank.changed bob rank=1 prev=null",
            "rank.enteredTop bob rank=1 prev=null",
            "rank.newLeader bob prev=alice",
        ], messages.Select(m => m.Summary));
        Assert.All(messages, m => Assert.Equal(1, m.DeliveryCount));
        Assert.Equal("s1", messages[1].Data.GetProperty("submissionId").GetString());
        Assert.Equal($"{messages[1].Sequence}:score.submitted:alice", messages[1].Id);
        Assert.Equal(messages.Select(m => m.Sequence).Order(), messages.Select(m => m.Sequence));
    }

    [Fact]
    public async Task kinds_filter_what_a_group_receives_and_start_at_end_skips_the_past()
    {
        var boardId = await _admin.CreateBoardAsync();
        await _admin.SubmitOkAsync(boardId, "old", 1);
        var group = await Groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "rank.newLeader" }, startAt = "end" });
        await _admin.SubmitOkAsync(boardId, "new", 5);

        var messages = await Groups.ReadAtLeastAsync(group, "c1", 1);

        Assert.Equal(["rank.newLeader new prev=old"], messages.Select(m => m.Summary));
    }

    [Fact]
    public async Task a_numeric_start_is_inclusive()
    {
        var boardId = await _admin.CreateBoardAsync();
        await _admin.SubmitOkAsync(boardId, "a", 1);
        var second = (await _admin.SubmitOkAsync(boardId, "b", 2)).GetProperty("sequence").GetInt64();
        var group = await Groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = second });

        var messages = await Groups.ReadAtLeastAsync(group, "c1", 1);

        Assert.Equal(["b"], messages.Select(m => m.Player));
        Assert.Equal(second, messages[0].Sequence);
    }

    [Fact]
    public async Task acknowledged_messages_are_not_delivered_again_and_the_status_shows_no_lag()
    {
        var boardId = await _admin.CreateBoardAsync();
        var group = await Groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = "end" });
        for (var i = 0; i < 5; i++) await _admin.SubmitOkAsync(boardId, $"p{i}", i);

        var first = await Groups.ReadAtLeastAsync(group, "c1", 5, ack: false);
        Assert.Equal(5, await Groups.AckAsync(group, first.Select(m => m.Id)));
        Assert.Equal(0, await Groups.AckAsync(group, first.Select(m => m.Id)));

        Assert.Empty(await Groups.ReadAsync(group, "c1", waitMs: 300));
        var status = await Groups.StatusAsync(group);
        Assert.Equal(0, status.GetProperty("pending").GetInt64());
        Assert.Equal(0, status.GetProperty("lag").GetInt64());
        Assert.Equal("c1", status.GetProperty("consumers")[0].GetProperty("name").GetString());
        Assert.True(status.GetProperty("position").GetInt64() >= first[^1].Sequence);
        Assert.True(status.GetProperty("headSequence").GetInt64() >= first[^1].Sequence);
    }

    [Fact]
    public async Task a_waiting_read_returns_as_soon_as_a_message_arrives()
    {
        var boardId = await _admin.CreateBoardAsync();
        var group = await Groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = "end" });

        var read = Groups.ReadAsync(group, "c1", waitMs: 20_000);
        await Task.Delay(200);
        await _admin.SubmitOkAsync(boardId, "late", 7);

        Assert.Equal(["late"], (await read).Select(m => m.Player));
    }

    [Fact]
    public async Task two_consumers_share_the_boards_and_each_board_keeps_its_order()
    {
        var boards = new List<string>();
        for (var b = 0; b < 4; b++) boards.Add(await _admin.CreateBoardAsync());
        var group = await Groups.CreateAsync(new { boards = boards.ToArray(), kinds = new[] { "score.submitted" }, startAt = "end" });
        for (var i = 0; i < 10; i++)
            foreach (var board in boards) await _admin.SubmitOkAsync(board, $"p{i}", i);

        var seen = new List<(string Consumer, Message Message)>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (seen.Count < 40 && DateTime.UtcNow < deadline)
        {
            // Small batches held unacknowledged for a moment, alternating consumers, so both hold boards at once.
            var a = await Groups.ReadAsync(group, "a", count: 3);
            var b = await Groups.ReadAsync(group, "b", count: 3);
            // While a board is pending with one consumer, the other never gets it.
            Assert.Empty(a.Select(m => m.BoardId).Intersect(b.Select(m => m.BoardId)));
            seen.AddRange(a.Select(m => ("a", m)));
            seen.AddRange(b.Select(m => ("b", m)));
            if (a.Length > 0) await Groups.AckAsync(group, a.Select(m => m.Id));
            if (b.Length > 0) await Groups.AckAsync(group, b.Select(m => m.Id));
        }

        Assert.Equal(40, seen.Count);
        Assert.Contains(seen, s => s.Consumer == "a");
        Assert.Contains(seen, s => s.Consumer == "b");
        foreach (var board in boards)
        {
            var players = seen.Where(s => s.Message.BoardId == board).Select(s => s.Message.Player).ToArray();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"p{i}"), players);
        }
    }

    [Fact]
    public async Task a_message_read_and_never_acknowledged_is_delivered_again_to_another_consumer()
    {
        var boardId = await _admin.CreateBoardAsync();
        var group = await Groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = "end", ackTimeoutSeconds = 1 });
        await _admin.SubmitOkAsync(boardId, "p", 1);

        var first = await Groups.ReadAtLeastAsync(group, "crashy", 1, ack: false);
        Assert.Empty(await Groups.ReadAsync(group, "healthy"));
        var again = await Groups.ReadAtLeastAsync(group, "healthy", 1, ack: false);

        Assert.Equal(first[0].Id, again[0].Id);
        Assert.Equal(2, again[0].DeliveryCount);
        Assert.Equal(1, await Groups.AckAsync(group, [again[0].Id]));
    }

    [Fact]
    public async Task acknowledging_part_of_a_read_redelivers_exactly_the_rest_in_order_and_a_smaller_read_splits_it()
    {
        var boardId = await _admin.CreateBoardAsync();
        var group = await Groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = "end", ackTimeoutSeconds = 1 });
        for (var i = 0; i < 4; i++) await _admin.SubmitOkAsync(boardId, $"p{i}", i);

        var first = await Groups.ReadAtLeastAsync(group, "c1", 4, ack: false);
        Assert.Equal(["p0", "p1", "p2", "p3"], first.Select(m => m.Player));
        Assert.Equal(2, await Groups.AckAsync(group, [first[0].Id, first[2].Id, "123:score.submitted:nobody", "not-an-id"]));
        Assert.Equal(2, (await Groups.StatusAsync(group)).GetProperty("pending").GetInt64());

        // After the ack timeout another consumer takes the board over; a read of 1 splits what is left.
        var again = new List<Message>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (again.Count == 0 && DateTime.UtcNow < deadline) again.AddRange(await Groups.ReadAsync(group, "c2", count: 1, waitMs: 500));
        var rest = await Groups.ReadAsync(group, "c2", count: 1, waitMs: 2000);

        Assert.Equal(["p1", "p3"], again.Concat(rest).Select(m => m.Player));
        Assert.All(again.Concat(rest), m => Assert.Equal(2, m.DeliveryCount));
        Assert.Equal(2, await Groups.AckAsync(group, again.Concat(rest).Select(m => m.Id)));
        Assert.Equal(0, (await Groups.StatusAsync(group)).GetProperty("pending").GetInt64());
    }

    [Fact]
    public async Task a_message_that_always_fails_ends_in_dead_letters_and_comes_back_when_redelivered()
    {
        var boardId = await _admin.CreateBoardAsync();
        var group = await Groups.CreateAsync(new
        {
            boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = "end", ackTimeoutSeconds = 1, maxDeliveries = 2,
        });
        await _admin.SubmitOkAsync(boardId, "poison", 1);

        // A consumer that fails on everything: reads, never acknowledges.
        var deliveries = new List<Message>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await Groups.DeadLettersAsync(group)).Length == 0 && DateTime.UtcNow < deadline)
            deliveries.AddRange(await Groups.ReadAsync(group, "failing", waitMs: 500));

        Assert.Equal([1, 2], deliveries.Select(m => m.DeliveryCount));
        var dead = Assert.Single(await Groups.DeadLettersAsync(group));
        Assert.Equal(deliveries[0].Id, dead.Id);
        Assert.Equal(1, (await Groups.StatusAsync(group)).GetProperty("deadLetters").GetInt64());

        // The consumer is fixed: the dead letter is delivered again, with a fresh count.
        var redeliver = await _admin.PostAsync($"/v1/subscriptions/{group}/dead-letters/redeliver", new { });
        redeliver.AssertStatus(HttpStatusCode.OK);
        var back = await Groups.ReadAtLeastAsync(group, "fixed", 1);
        Assert.Equal(dead.Id, back.Single().Id);
        Assert.Equal(1, back.Single().DeliveryCount);
        Assert.Empty(await Groups.DeadLettersAsync(group));
    }

    [Fact]
    public async Task reset_moves_the_group_back_and_delete_forgets_it()
    {
        var boardId = await _admin.CreateBoardAsync();
        var start = (await _admin.SubmitOkAsync(boardId, "a", 1)).GetProperty("sequence").GetInt64();
        var group = await Groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = start });
        Assert.Equal(["a"], (await Groups.ReadAtLeastAsync(group, "c", 1)).Select(m => m.Player));

        (await _admin.PostAsync($"/v1/subscriptions/{group}/reset", new { startAt = start })).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(["a"], (await Groups.ReadAtLeastAsync(group, "c", 1)).Select(m => m.Player));

        (await _admin.DeleteAsync($"/v1/subscriptions/{group}")).AssertStatus(HttpStatusCode.NoContent);
        (await _admin.GetAsync($"/v1/subscriptions/{group}")).AssertProblem(HttpStatusCode.NotFound);
        (await _admin.PostAsync($"/v1/subscriptions/{group}/read", new { consumer = "c" })).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task an_update_keeps_omitted_settings_and_answers_200()
    {
        var group = await Groups.CreateAsync(new { boards = new[] { "*" }, maxDeliveries = 3 });

        var updated = await Groups.DefineAsync(group, new { ackTimeoutSeconds = 9 });

        updated.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(3, updated.Json.GetProperty("maxDeliveries").GetInt32());
        Assert.Equal(9, updated.Json.GetProperty("ackTimeoutSeconds").GetInt32());
        Assert.Equal("*", updated.Json.GetProperty("boards")[0].GetString());
    }

    [Theory]
    [InlineData("""{ "kinds": ["score.submitted"] }""", "boards")]
    [InlineData("""{ "boards": [] }""", "boards")]
    [InlineData("""{ "boards": ["*", "x"] }""", "boards")]
    [InlineData("""{ "boards": ["x"], "kinds": ["rank.sideways"] }""", "kinds[0]")]
    [InlineData("""{ "boards": ["x"], "startAt": "middle" }""", "startAt")]
    [InlineData("""{ "boards": ["x"], "startAt": -1 }""", "startAt")]
    [InlineData("""{ "boards": ["x"], "ackTimeoutSeconds": 0 }""", "ackTimeoutSeconds")]
    [InlineData("""{ "boards": ["x"], "maxDeliveries": 0 }""", "maxDeliveries")]
    [InlineData("""{ "boards": ["x"], "webhook": { "url": "http://10.0.0.1/hook", "secret": "s" } }""", "webhook.url")]
    [InlineData("""{ "boards": ["x"], "webhook": { "url": "ftp://127.0.0.1/hook", "secret": "s" } }""", "webhook.url")]
    public async Task invalid_definitions_are_400_problems_naming_the_field(string body, string field)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var reply = await Reply.ReadAsync(await _admin.Client.PutAsync($"/v1/subscriptions/{GroupApi.NewGroup()}", content));

        reply.AssertValidationError(field);
    }

    [Fact]
    public async Task defining_needs_admin_and_reading_needs_read()
    {
        var reader = new Api(fixture.App.ClientWith(LeaderboardApp.ReadKey));
        var group = await Groups.CreateAsync(new { boards = new[] { "*" }, startAt = "end" });

        (await new GroupApi(reader).DefineAsync(GroupApi.NewGroup(), new { boards = new[] { "*" } })).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Empty(await new GroupApi(reader).ReadAsync(group, "r"));
        (await new Api(fixture.App.ClientWith(null)).PostAsync($"/v1/subscriptions/{group}/read", new { consumer = "r" }))
            .AssertProblem(HttpStatusCode.Unauthorized);
    }
}
