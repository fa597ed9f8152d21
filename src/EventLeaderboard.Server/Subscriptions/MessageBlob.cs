using System.Text;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// The messages of one log event as one compact binary value (<c>sub_messages.body</c>): one row per
/// log event, not per message, so 100,000 scores a second stay about a hundred rows a second.
/// </summary>
/// <remarks>
/// Format (little endian), version 1, all the event's messages: byte version; 7-bit count; then per
/// message: byte kind, int64 sequence, string boardId, string playerId, 7-bit length + UTF-8 JSON
/// data (strings as <see cref="BinaryWriter"/> writes them). The ordinal is not stored: it is
/// seq_id * 8192 + index. Version 2, a subset of them (<c>sub_messages.rare</c>): the same, with
/// each message's 7-bit index among the event's messages before its kind.
/// Append-only: a new field needs a new version byte.
/// </remarks>
public static class MessageBlob
{
    const byte All = 1;
    const byte Subset = 2;

    /// <summary>
    /// Appends every message of the event (version 1) to <paramref name="buffer"/> and returns where
    /// it lies. A 1,000-score event makes a ~217 KB blob: built in a fresh array (and a growing
    /// stream before it) each would be a large-object allocation, and a batch-ingest profile showed
    /// the kernel zeroing fresh pages for them at ~6% of all CPU. The writer reuses one buffer instead.
    /// </summary>
    public static ArraySegment<byte> Append(MemoryStream buffer, IReadOnlyList<LogMessage> messages)
    {
        var start = (int)buffer.Length;
        buffer.Position = start;
        Write(buffer, All, messages, messages.Count, _ => true);
        return new ArraySegment<byte>(buffer.GetBuffer(), start, (int)buffer.Length - start);
    }

    /// <summary>
    /// Only the messages whose kind's bit is in <paramref name="mask"/>, with their places (version 2);
    /// null when there is none.
    /// </summary>
    public static byte[]? EncodeSubset(IReadOnlyList<LogMessage> messages, int mask)
    {
        var count = 0;
        foreach (var m in messages)
            if ((MessageKinds.Bit(m.Kind) & mask) != 0) count++;
        if (count == 0) return null;
        using var stream = new MemoryStream(64 + count * 96);
        Write(stream, Subset, messages, count, m => (MessageKinds.Bit(m.Kind) & mask) != 0);
        return stream.ToArray();
    }

    static void Write(MemoryStream stream, byte version, IReadOnlyList<LogMessage> messages, int count, Func<LogMessage, bool> include)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(version);
        writer.Write7BitEncodedInt(count);
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (!include(m)) continue;
            if (version == Subset) writer.Write7BitEncodedInt(i);
            writer.Write((byte)m.Kind);
            writer.Write(m.Sequence);
            writer.Write(m.BoardId);
            writer.Write(m.PlayerId);
            writer.Write7BitEncodedInt(m.Data.Length);
            writer.Write(m.Data);
        }
    }

    /// <summary>True when <paramref name="body"/> holds every message of its event (not a subset).</summary>
    public static bool IsComplete(byte[] body) => body.Length > 0 && body[0] == All;

    /// <summary>The messages stored, in log order, with their ordinals (a subset keeps its messages' places).</summary>
    public static LogMessage[] Decode(long seqId, byte[] body)
    {
        using var reader = new BinaryReader(new MemoryStream(body, writable: false), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version is not (All or Subset)) throw new InvalidDataException($"Unknown message blob version {version} at seq_id {seqId}.");
        var count = reader.Read7BitEncodedInt();
        var messages = new LogMessage[count];
        for (var i = 0; i < count; i++)
        {
            var index = version == Subset ? reader.Read7BitEncodedInt() : i;
            var kind = (MessageKind)reader.ReadByte();
            var sequence = reader.ReadInt64();
            var boardId = reader.ReadString();
            var playerId = reader.ReadString();
            var data = reader.ReadBytes(reader.Read7BitEncodedInt());
            messages[i] = new LogMessage(seqId * LogMessage.PerEvent + index, sequence, kind, boardId, playerId, data);
        }
        return messages;
    }
}
