using System.Text;
using EventLeaderboard.Client.Contracts;
using Microsoft.AspNetCore.Http;

namespace EventLeaderboard.Client.Tests;

public sealed class OperationsAndStreamTests
{
    [Fact]
    public async Task an_unready_node_is_reported_not_thrown()
    {
        await using var server = await FakeServer.AnswerAsync(503, "Unhealthy", "text/plain");
        using var client = server.CreateClient();

        var ready = await client.GetReadinessAsync();

        Assert.Equal(new HealthReport(false, 503, "Unhealthy"), ready);
        Assert.Equal("/health/ready", server.Requests.Single().PathAndQuery);
    }

    [Fact]
    public async Task a_base_address_with_a_path_prefix_keeps_it()
    {
        await using var server = await FakeServer.AnswerAsync(200, "Healthy", "text/plain");
        using var client = LeaderboardClient.Create(new Uri(server.Address, "leaderboard"));

        var live = await client.GetLivenessAsync();

        Assert.True(live.Healthy);
        Assert.Equal("/leaderboard/health/live", server.Requests.Single().PathAndQuery);
    }

    [Fact]
    public async Task the_board_stream_yields_messages_and_resumes_from_the_last_event_id()
    {
        await using var server = await FakeServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            var body = new StringBuilder()
                .Append(": keep-alive\n\n")
                .Append("id: m-2\nevent: rank.newLeader\ndata: {\"id\":\"m-2\",\"sequence\":2,\"kind\":\"rank.newLeader\",\"boardId\":\"b\",\"deliveryCount\":1,\"data\":{\"playerId\":\"p\",\"previousLeader\":null}}\n\n")
                .Append("id: m-3\ndata: {\"id\":\"m-3\",\"sequence\":3,\"kind\":\"score.submitted\",\"boardId\":\"b\",\"deliveryCount\":1,\"data\":{}}\n\n");
            await context.Response.WriteAsync(body.ToString());
        });
        using var client = server.CreateClient();

        var messages = new List<SubscriptionMessage>();
        await foreach (var message in client.StreamBoardAsync("b", lastEventId: "m-1"))
        {
            messages.Add(message);
        }

        Assert.Equal(["m-2", "m-3"], messages.Select(m => m.Id));
        Assert.Equal(MessageKinds.NewLeader, messages[0].Kind);
        Assert.Equal("m-1", server.Requests.Single().LastEventId);
    }
}
