using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>One node that may POST to loopback (tests allow 127.0.0.1), with short backoffs.</summary>
public sealed class WebhookAppFixture : IAsyncLifetime
{
    public LeaderboardApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await SubscriptionNode.Create(await TestDatabase.CreateDatabaseAsync(), new Dictionary<string, string?>
    {
        ["Webhooks:AllowedHosts:0"] = "127.0.0.1",
        ["Webhooks:BaseBackoffMs"] = "20",
        ["Webhooks:MaxBackoffMs"] = "100",
    }).StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

public sealed class WebhookTests(WebhookAppFixture fixture) : IClassFixture<WebhookAppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));

    [Fact]
    public async Task a_receiver_that_fails_for_a_while_still_gets_every_message_signed_and_in_board_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Fail = attempt => attempt <= 12; // down for the first dozen attempts
        var boards = new[] { await _admin.CreateBoardAsync(), await _admin.CreateBoardAsync() };
        var group = await new GroupApi(_admin).CreateAsync(new
        {
            boards, kinds = new[] { "score.submitted" }, startAt = "end", maxDeliveries = 20,
            webhook = new { url = receiver.Url, secret = WebhookReceiver.Secret },
        });
        for (var i = 0; i < 10; i++)
            foreach (var board in boards) await _admin.SubmitOkAsync(board, $"p{i}", i);

        await Eventually(() => receiver.Accepted.Select(m => m.Id).Distinct().Count() == 20);

        Assert.True(receiver.Attempts > 20, "The receiver should have refused some attempts.");
        Assert.Equal(0, receiver.BadSignatures);
        foreach (var board in boards)
        {
            var firstArrivals = receiver.Accepted.Where(m => m.BoardId == board).Select(m => m.Player).Distinct();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"p{i}"), firstArrivals);
        }
        Assert.Contains(receiver.Accepted, m => m.DeliveryCount > 1);
        await Eventually(async () => (await new GroupApi(_admin).StatusAsync(group)).GetProperty("pending").GetInt64() == 0);
        Assert.Equal(0, (await new GroupApi(_admin).StatusAsync(group)).GetProperty("deadLetters").GetInt64());
    }

    [Fact]
    public async Task a_receiver_that_always_fails_ends_in_dead_letters_after_max_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Fail = _ => true;
        var board = await _admin.CreateBoardAsync();
        var group = await new GroupApi(_admin).CreateAsync(new
        {
            boards = new[] { board }, kinds = new[] { "score.submitted" }, startAt = "end", maxDeliveries = 3,
            webhook = new { url = receiver.Url, secret = WebhookReceiver.Secret },
        });
        await _admin.SubmitOkAsync(board, "p", 1);

        await Eventually(async () => (await new GroupApi(_admin).DeadLettersAsync(group)).Length == 1);

        Assert.Equal(3, receiver.Attempts);
        Assert.Equal(3, (await new GroupApi(_admin).DeadLettersAsync(group))[0].DeliveryCount);

        receiver.Fail = _ => false;
        (await _admin.PostAsync($"/v1/subscriptions/{group}/dead-letters/redeliver", new { })).AssertStatus(HttpStatusCode.OK);
        await Eventually(() => receiver.Accepted.Count == 1);
        Assert.Equal("p", receiver.Accepted.Single().Player);
    }

    [Fact]
    public async Task a_webhook_to_a_host_that_is_not_allowed_is_refused()
    {
        var reply = await new GroupApi(_admin).DefineAsync(GroupApi.NewGroup(), new
        {
            boards = new[] { "*" }, webhook = new { url = "http://169.254.169.254/latest/meta-data", secret = "s" },
        });

        reply.AssertValidationError("webhook.url");
    }

    static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()));

    static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("The condition did not become true within 30 seconds.");
            await Task.Delay(50);
        }
    }
}
