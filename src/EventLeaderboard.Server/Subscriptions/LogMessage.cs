using System.Globalization;
using System.Text;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// One subscription message, derived from the log on the follower thread.
/// </summary>
/// <param name="Ordinal">
/// Total order of messages: <c>seq_id * <see cref="PerEvent"/> + index</c>, where index is the
/// message's 0-based place among the messages derived from that log event. Groups keep their
/// cursor in ordinals, so a read may stop in the middle of an event's messages.
/// </param>
/// <param name="Sequence">The contract's <c>sequence</c>: the log position of the causing score or event.</param>
/// <param name="PlayerId">The player the message is about; empty for <c>board.defined</c>.</param>
/// <param name="Data">The message's <c>data</c> object as UTF-8 JSON.</param>
public sealed record LogMessage(long Ordinal, long Sequence, MessageKind Kind, string BoardId, string PlayerId, byte[] Data)
{
    /// <summary>
    /// Room for the messages of one log event: at most 1024 scores, each deriving at most five
    /// messages (submitted, changed, enteredTop, the leftTop it causes, newLeader) is 5120.
    /// </summary>
    public const long PerEvent = 8192;

    public static long SeqIdOf(long ordinal) => ordinal / PerEvent;

    /// <summary>
    /// <c>{sequence}:{kind}:{playerId}</c> (<c>{sequence}:board.defined</c> for boards): derived
    /// from the causing event only, so every node, redelivery and replay carries the same id.
    /// </summary>
    /// <remarks>Computed once per instance: decoded rows are cached and read by many groups.</remarks>
    public string Id => _id ??= Kind == MessageKind.BoardDefined
        ? string.Create(CultureInfo.InvariantCulture, $"{Sequence}:{MessageKinds.BoardDefined}")
        : string.Create(CultureInfo.InvariantCulture, $"{Sequence}:{MessageKinds.NameOf(Kind)}:{PlayerId}");

    public string KindName => MessageKinds.NameOf(Kind);

    public string DataText => _dataText ??= Encoding.UTF8.GetString(Data);

    string? _id;
    string? _dataText;

    /// <summary>The log position an id refers to (its prefix); false for text that is not a message id.</summary>
    public static bool TryParseSequence(string? id, out long sequence)
    {
        sequence = 0;
        if (string.IsNullOrEmpty(id)) return false;
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return long.TryParse(colon < 0 ? id : id[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }
}
