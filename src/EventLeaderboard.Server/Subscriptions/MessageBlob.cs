using System.Text;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// The messages of one log event as one compact binary value (<c>sub_messages.body</c>): one row per
/// log event, not per message, so 100,000 scores a second stay about a hundred rows a second.
/// </summary>
/// <remarks>
/// Format (little endian), version 1: byte version; 7-bit count; then per message: byte kind,
/// int64 sequence, string boardId, string playerId, 7-bit length + UTF-8 JSON data (strings as
/// <see cref="BinaryWriter"/> writes them). The ordinal is not stored: it is seq_id * 8192 + index.
/// Append-only: a new field needs a new version byte.
/// </remarks>
public static class MessageBlob
{
    const byte Version = 1;

    public static byte[] Encode(IReadOnlyList<LogMessage> messages)
    {
        using var stream = new MemoryStream(64 + messages.Count * 96);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write7BitEncodedInt(messages.Count);
            foreach (var m in messages)
            {
                writer.Write((byte)m.Kind);
                writer.Write(m.Sequence);
                writer.Write(m.BoardId);
                writer.Write(m.PlayerId);
                writer.Write7BitEncodedInt(m.Data.Length);
                writer.Write(m.Data);
            }
        }
        return stream.ToArray();
    }

    public static LogMessage[] Decode(long seqId, byte[] body)
    {
        using var reader = new BinaryReader(new MemoryStream(body, writable: false), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version != Version) throw new InvalidDataException($"Unknown message blob version {version} at seq_id {seqId}.");
        var count = reader.Read7BitEncodedInt();
        var messages = new LogMessage[count];
        for (var i = 0; i < count; i++)
        {
            var kind = (MessageKind)reader.ReadByte();
            var sequence = reader.ReadInt64();
            var boardId = reader.ReadString();
            var playerId = reader.ReadString();
            var data = reader.ReadBytes(reader.Read7BitEncodedInt());
            messages[i] = new LogMessage(seqId * LogMessage.PerEvent + i, sequence, kind, boardId, playerId, data);
        }
        return messages;
    }
}
