using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client;

public sealed partial class LeaderboardClient
{
    /// <summary><c>PUT /v1/subscriptions/{group}</c> (admin): creates or updates a consumer group. Returns true when created (201).</summary>
    public async Task<bool> DefineSubscriptionAsync(string group, SubscriptionGroupDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        using var request = NewRequest(HttpMethod.Put, $"v1/subscriptions/{Segment(group)}", retrySafe: true);
        request.Content = JsonBody(definition, Json.SubscriptionGroupDefinition);
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Created;
    }

    /// <summary>
    /// <c>POST /v1/subscriptions/{group}/read</c> (read): hands messages to <see cref="ReadMessagesRequest.Consumer"/>,
    /// waiting up to <c>waitMs</c> while none are available. Acknowledge them with <see cref="AcknowledgeAsync"/>
    /// within the group's ack timeout. Not retried automatically (a lost answer would leave its messages pending
    /// until the ack timeout). With <c>AddLeaderboardClient</c> the standard pipeline's attempt timeout (10 s by
    /// default) bounds the request: keep <c>waitMs</c> below it or raise it through <c>configureResilience</c>.
    /// </summary>
    public Task<MessageBatch> ReadMessagesAsync(string group, ReadMessagesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = NewRequest(HttpMethod.Post, $"v1/subscriptions/{Segment(group)}/read", retrySafe: false);
        message.Content = JsonBody(request, Json.ReadMessagesRequest);
        return SendAsync(message, Json.MessageBatch, cancellationToken);
    }

    /// <summary><c>POST /v1/subscriptions/{group}/ack</c>: acknowledges delivered messages by id. Retry-safe.</summary>
    public Task<AckResult> AcknowledgeAsync(string group, IReadOnlyList<string> messageIds, CancellationToken cancellationToken = default)
    {
        var request = NewRequest(HttpMethod.Post, $"v1/subscriptions/{Segment(group)}/ack", retrySafe: true);
        request.Content = JsonBody(new AckRequest(messageIds), Json.AckRequest);
        return SendAsync(request, Json.AckResult, cancellationToken);
    }

    /// <summary><c>GET /v1/subscriptions/{group}</c>: position, lag, pending and consumers.</summary>
    public Task<SubscriptionGroupStatus> GetSubscriptionAsync(string group, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, $"v1/subscriptions/{Segment(group)}", retrySafe: true), Json.SubscriptionGroupStatus, cancellationToken);

    /// <summary>
    /// <c>GET /v1/subscriptions/{group}/dead-letters</c>. The contract does not fix this answer's shape;
    /// the client expects <c>{ messages: [...] }</c> like a read.
    /// </summary>
    public Task<MessageBatch> GetDeadLettersAsync(string group, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Get, $"v1/subscriptions/{Segment(group)}/dead-letters", retrySafe: true), Json.MessageBatch, cancellationToken);

    /// <summary><c>POST /v1/subscriptions/{group}/dead-letters/redeliver</c>: puts the dead letters back in delivery.</summary>
    public Task RedeliverDeadLettersAsync(string group, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Post, $"v1/subscriptions/{Segment(group)}/dead-letters/redeliver", retrySafe: false), cancellationToken);

    /// <summary><c>POST /v1/subscriptions/{group}/reset</c> (admin): moves the group's position.</summary>
    public Task ResetSubscriptionAsync(string group, SubscriptionStart startAt, CancellationToken cancellationToken = default)
    {
        var request = NewRequest(HttpMethod.Post, $"v1/subscriptions/{Segment(group)}/reset", retrySafe: false);
        request.Content = JsonBody(new ResetSubscriptionRequest(startAt), Json.ResetSubscriptionRequest);
        return SendAsync(request, cancellationToken);
    }

    /// <summary><c>DELETE /v1/subscriptions/{group}</c> (admin).</summary>
    public Task DeleteSubscriptionAsync(string group, CancellationToken cancellationToken = default) =>
        SendAsync(NewRequest(HttpMethod.Delete, $"v1/subscriptions/{Segment(group)}", retrySafe: false), cancellationToken);

    /// <summary>
    /// <c>GET /v1/leaderboards/{boardId}/stream</c> (read): the board's messages as they happen, from Server-Sent
    /// Events whose <c>data</c> is a message in the same JSON shape as a read. Pass the last
    /// <see cref="SubscriptionMessage.Id"/> seen as <paramref name="lastEventId"/> to resume after a reconnect.
    /// Runs until the server closes the stream or <paramref name="cancellationToken"/> fires; events without data
    /// (keep-alives) are skipped.
    /// </summary>
    public async IAsyncEnumerable<SubscriptionMessage> StreamBoardAsync(
        string boardId,
        string? lastEventId = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Not retry-safe on purpose: a reconnect is the caller's decision, with its own Last-Event-ID.
        using var request = NewRequest(HttpMethod.Get, $"v1/leaderboards/{Segment(boardId)}/stream", retrySafe: false);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var parser = SseParser.Create(stream);
            await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                if (string.IsNullOrWhiteSpace(item.Data))
                {
                    continue;
                }

                var message = JsonSerializer.Deserialize(item.Data, Json.SubscriptionMessage)
                    ?? throw new JsonException("A stream event carried null data.");
                yield return message;
            }
        }
    }
}
