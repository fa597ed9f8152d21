using EventLeaderboard.Server.Subscriptions;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>
/// A webhook retry takes one message of a held range aside (its own delivery count). If its holder
/// then dies, the consumer that takes the board over must still get the board's messages in order.
/// </summary>
public sealed class RetryOrderTests(SubscriptionAppFixture fixture) : IClassFixture<SubscriptionAppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));

    [Fact]
    public async Task a_message_retried_from_the_middle_of_a_range_is_redelivered_in_order_after_a_takeover()
    {
        var groups = new GroupApi(_admin);
        var boardId = await _admin.CreateBoardAsync();
        foreach (var (player, score) in new[] { ("a", 1L), ("b", 2L), ("c", 3L), ("d", 4L) }) await _admin.SubmitOkAsync(boardId, player, score);
        var group = await groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = "beginning", ackTimeoutSeconds = 1 });
        var held = await groups.ReadAtLeastAsync(group, "dies", 4, ack: false);
        var store = fixture.App.Services.GetRequiredService<ConsumerGroupStore>();

        Assert.Equal(2, await store.CountRetryAsync(group, held[1].Id, 1, default));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // every deadline passes: the board is free to take over
        // Two at a time: a read that ends inside the board's pending messages must end at a prefix.
        var firstTwo = await groups.ReadAsync(group, "survivor", count: 2);
        var lastTwo = await groups.ReadAsync(group, "survivor", count: 2);

        Assert.Equal(held.Select(m => m.Id), firstTwo.Concat(lastTwo).Select(m => m.Id));
        Assert.Equal([2, 3, 2, 2], firstTwo.Concat(lastTwo).Select(m => m.DeliveryCount));
    }
}
