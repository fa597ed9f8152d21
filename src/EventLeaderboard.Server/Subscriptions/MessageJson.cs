using System.Text.Json;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>The wire shape of a message: <c>{ id, sequence, kind, boardId, deliveryCount, data }</c>.</summary>
public static class MessageJson
{
    public static void Write(Utf8JsonWriter writer, string id, long sequence, string kind, string boardId, int deliveryCount, ReadOnlySpan<byte> data)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteNumber("sequence", sequence);
        writer.WriteString("kind", kind);
        writer.WriteString("boardId", boardId);
        writer.WriteNumber("deliveryCount", deliveryCount);
        writer.WritePropertyName("data");
        writer.WriteRawValue(data, skipInputValidation: true);
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, DeliveredMessage m) =>
        Write(writer, m.Id, m.Sequence, m.Kind, m.BoardId, m.DeliveryCount, m.DataUtf8 ?? System.Text.Encoding.UTF8.GetBytes(m.Data));

    /// <summary>One message as a standalone UTF-8 JSON document (webhook bodies, stream events).</summary>
    public static byte[] ToBytes(DeliveredMessage m)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 + m.Data.Length);
        using (var writer = new Utf8JsonWriter(buffer)) Write(writer, m);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>A message as handed to a consumer (or listed as a dead letter). <c>Data</c> is the JSON text of <c>data</c>.</summary>
public sealed record DeliveredMessage(string Id, long Ordinal, long Sequence, string Kind, string BoardId, int DeliveryCount, string Data)
{
    /// <summary>The UTF-8 bytes of <see cref="Data"/> when the message came from the log (writing a read's answer skips re-encoding).</summary>
    public byte[]? DataUtf8 { get; private init; }

    public static DeliveredMessage From(LogMessage m, int deliveryCount) =>
        new(m.Id, m.Ordinal, m.Sequence, m.KindName, m.BoardId, deliveryCount, m.DataText) { DataUtf8 = m.Data };
}
