namespace EventLeaderboard.Server.Subscriptions;

/// <summary>A consumer group's settings as stored in <c>sub_groups</c>.</summary>
/// <param name="Boards">Board ids, or the single entry <c>*</c> for every board.</param>
/// <param name="Kinds">Message kinds delivered (contract names).</param>
public sealed record GroupDefinition(
    string Name, string[] Boards, string[] Kinds, int AckTimeoutSeconds, int MaxDeliveries, string? WebhookUrl, string? WebhookSecret)
{
    public bool AllBoards => Boards is ["*"];

    public bool Accepts(LogMessage message, HashSet<string>? boards, HashSet<string> kinds) =>
        (boards is null || boards.Contains(message.BoardId)) && kinds.Contains(message.KindName);
}

/// <summary>Where a group starts or is reset to.</summary>
/// <param name="Cursor">Ordinal of the first message to hand out.</param>
/// <param name="MinSequence">Messages with a lower sequence are passed over (an inclusive numeric startAt).</param>
/// <param name="Position">The position reported before anything is handed out.</param>
public readonly record struct GroupStart(long Cursor, long MinSequence, long Position)
{
    public static GroupStart Beginning => new(0, 0, 0);

    /// <summary>After everything this node has applied (<paramref name="appliedSeqId"/>).</summary>
    public static GroupStart After(long appliedSeqId) =>
        new((appliedSeqId + 1) * LogMessage.PerEvent, 0, Ingest.LogPosition.EndOf(appliedSeqId));

    /// <summary>From log position <paramref name="sequence"/>, inclusive.</summary>
    public static GroupStart At(long sequence) =>
        new(sequence / Ingest.LogPosition.ItemsPerEvent * LogMessage.PerEvent, sequence, Math.Max(0, sequence - 1));
}

/// <summary>Answer of <c>GET /v1/subscriptions/{group}</c>.</summary>
public sealed record GroupStatus(
    string Group, long Position, long HeadSequence, long Lag, long Pending, IReadOnlyList<ConsumerState> Consumers, long DeadLetters);

/// <summary>One consumer: messages it holds (delivered or queued for it) and milliseconds since it last read.</summary>
public sealed record ConsumerState(string Name, long Pending, long IdleMs);
