namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// The kinds of subscription messages. The numeric values are stored in <c>sub_messages.body</c>:
/// explicit and append-only, never renumber one.
/// </summary>
public enum MessageKind : byte
{
    ScoreSubmitted = 1,
    PlayerRemoved = 2,
    BoardDefined = 3,
    EnteredTop = 4,
    LeftTop = 5,
    NewLeader = 6,
    RankChanged = 7,
}

/// <summary>The contract's names of the kinds (<c>score.submitted</c>, <c>rank.enteredTop</c>, ...).</summary>
public static class MessageKinds
{
    public const string ScoreSubmitted = "score.submitted";
    public const string PlayerRemoved = "player.removed";
    public const string BoardDefined = "board.defined";
    public const string EnteredTop = "rank.enteredTop";
    public const string LeftTop = "rank.leftTop";
    public const string NewLeader = "rank.newLeader";
    public const string RankChanged = "rank.changed";

    public static readonly IReadOnlyList<string> All =
        [ScoreSubmitted, PlayerRemoved, BoardDefined, EnteredTop, LeftTop, NewLeader, RankChanged];

    public static string NameOf(MessageKind kind) => kind switch
    {
        MessageKind.ScoreSubmitted => ScoreSubmitted,
        MessageKind.PlayerRemoved => PlayerRemoved,
        MessageKind.BoardDefined => BoardDefined,
        MessageKind.EnteredTop => EnteredTop,
        MessageKind.LeftTop => LeftTop,
        MessageKind.NewLeader => NewLeader,
        MessageKind.RankChanged => RankChanged,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown message kind."),
    };

    public static bool IsKnown(string? name) => name is not null && All.Contains(name);

    /// <summary>The bit of a kind in a kinds mask (<c>sub_messages.kinds</c>): bit n for the kind numbered n.</summary>
    public static int Bit(MessageKind kind) => 1 << (int)kind;

    /// <summary>
    /// The mask of a row whose kinds are not recorded (rows written before migration 0005): every
    /// bit, so every group reads it.
    /// </summary>
    public const int AnyMask = -1;

    /// <summary>
    /// The kinds every score derives (one each): a row of a batch event holds thousands of them.
    /// The others are rare, and a row stores them a second time, alone (<c>sub_messages.rare</c>),
    /// so a group of rare kinds only never fetches nor decodes the whole row.
    /// </summary>
    public static readonly int FrequentMask = Bit(MessageKind.ScoreSubmitted) | Bit(MessageKind.RankChanged);

    /// <summary>The mask of the kinds named (unknown names are ignored: definitions are validated).</summary>
    public static int MaskOf(IEnumerable<string> names)
    {
        var mask = 0;
        foreach (var name in names)
            for (var kind = MessageKind.ScoreSubmitted; kind <= MessageKind.RankChanged; kind++)
                if (NameOf(kind) == name) mask |= Bit(kind);
        return mask;
    }
}
