using System.Text.Json;

namespace EventLeaderboard.Client.Contracts;

/// <summary>Message kinds a consumer group can receive (<see cref="SubscriptionMessage.Kind"/>).</summary>
public static class MessageKinds
{
    /// <summary>Data: <c>{ playerId, submitted, score, rank, previousRank, submissionId }</c>.</summary>
    public const string ScoreSubmitted = "score.submitted";
    /// <summary>Data: <c>{ playerId, previousRank }</c>.</summary>
    public const string PlayerRemoved = "player.removed";
    /// <summary>Data: <c>{ sortOrder, updatePolicy, topN }</c>.</summary>
    public const string BoardDefined = "board.defined";
    /// <summary>Data: <c>{ playerId, rank, previousRank, topN }</c>.</summary>
    public const string EnteredTop = "rank.enteredTop";
    /// <summary>Data: <c>{ playerId, rank, previousRank, topN }</c>; <c>rank</c> null when the player left the board.</summary>
    public const string LeftTop = "rank.leftTop";
    /// <summary>Data: <c>{ playerId, previousLeader }</c>.</summary>
    public const string NewLeader = "rank.newLeader";
    /// <summary>Data: <c>{ playerId, rank, previousRank }</c>; only a submission derives it.</summary>
    public const string RankChanged = "rank.changed";
}

/// <summary>Where a webhook-consumed group POSTs its messages, and the HMAC-SHA256 secret that signs them.</summary>
public sealed record WebhookTarget(string Url, string Secret);

/// <summary>Body of <c>PUT /v1/subscriptions/{group}</c>. Members left null are not sent (server defaults apply).</summary>
/// <param name="Boards">Board ids, or <c>["*"]</c> for every board. Required when the group is created.</param>
public sealed record SubscriptionGroupDefinition(IReadOnlyList<string> Boards)
{
    /// <summary>Message kinds to deliver (<see cref="MessageKinds"/>); null means all.</summary>
    public IReadOnlyList<string>? Kinds { get; init; }

    /// <summary>Where a new group starts reading (server default applies when null).</summary>
    public SubscriptionStart? StartAt { get; init; }

    /// <summary>Seconds before an unacknowledged message is delivered again (server default 30).</summary>
    public int? AckTimeoutSeconds { get; init; }

    /// <summary>Deliveries before a message moves to the dead letters (server default 5).</summary>
    public int? MaxDeliveries { get; init; }

    /// <summary>When set, the service consumes the group itself and POSTs each message here.</summary>
    public WebhookTarget? Webhook { get; init; }
}

/// <summary>Body of <c>POST /v1/subscriptions/{group}/read</c>.</summary>
/// <param name="Consumer">Name of this consumer within the group.</param>
public sealed record ReadMessagesRequest(string Consumer)
{
    /// <summary>Maximum messages to hand out (server default 100).</summary>
    public int? Count { get; init; }

    /// <summary>How long the server may wait while nothing is available (server default 5000 ms).</summary>
    public int? WaitMs { get; init; }
}

/// <summary>One delivered message. Delivery is at least once: de-duplicate on <see cref="Id"/>.</summary>
/// <param name="Id">Stable across redeliveries.</param>
/// <param name="Sequence">Global position of the event (for derived notifications: of the event that caused them).</param>
/// <param name="Kind">One of <see cref="MessageKinds"/>.</param>
/// <param name="DeliveryCount">1 on the first delivery.</param>
/// <param name="Data">Kind-specific payload (see <see cref="MessageKinds"/>).</param>
public sealed record SubscriptionMessage(string Id, long Sequence, string Kind, string BoardId, int DeliveryCount, JsonElement Data);

/// <summary>Messages handed out by a read (empty when <c>waitMs</c> passed with nothing available), or a group's dead letters.</summary>
public sealed record MessageBatch(IReadOnlyList<SubscriptionMessage> Messages);

/// <summary>Body of <c>POST /v1/subscriptions/{group}/ack</c>.</summary>
public sealed record AckRequest(IReadOnlyList<string> Ids);

/// <summary>Answer of an ack: how many of the ids were pending and are now acknowledged.</summary>
public sealed record AckResult(int Acknowledged);

/// <summary>One consumer of a group.</summary>
/// <param name="Pending">Messages handed to it and not yet acknowledged.</param>
/// <param name="IdleMs">Milliseconds since it last read.</param>
public sealed record ConsumerStatus(string Name, long Pending, long IdleMs);

/// <summary>Answer of <c>GET /v1/subscriptions/{group}</c>.</summary>
/// <param name="Position">The group's durable position in the global log.</param>
/// <param name="HeadSequence">The newest position in the log.</param>
/// <param name="Lag">Events between the group's position and the head.</param>
public sealed record SubscriptionGroupStatus(
    string Group,
    long Position,
    long HeadSequence,
    long Lag,
    long Pending,
    IReadOnlyList<ConsumerStatus> Consumers,
    long DeadLetters);

/// <summary>Body of <c>POST /v1/subscriptions/{group}/reset</c>.</summary>
public sealed record ResetSubscriptionRequest(SubscriptionStart StartAt);
