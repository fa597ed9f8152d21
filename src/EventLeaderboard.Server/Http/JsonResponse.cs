using System.Buffers;
using System.Text.Json;
using EventLeaderboard.Ranking;

namespace EventLeaderboard.Server.Http;

/// <summary>
/// A JSON answer serialized with a reused <see cref="Utf8JsonWriter"/> into a reused per-thread buffer,
/// then copied into the response pipe with its Content-Length: the read path is the hot path (tens of
/// thousands of requests a second), so it serializes without reflection, intermediate objects or a
/// writer per request.
/// </summary>
/// <remarks>
/// Why buffer and set Content-Length rather than write into the pipe and flush: a body written
/// straight into the pipe starts the response chunked, and an explicit flush sends the chunk in one
/// send() and the terminating chunk in a second one at the end of the request. With the length known
/// and no flush, Kestrel sends headers and body in one write when the request completes.
/// </remarks>
public abstract class JsonResponse : IResult
{
    /// <summary>A buffer that grew past this (a large top or lookup answer) is dropped after use, not kept per thread.</summary>
    const int MaxRetainedBufferBytes = 64 * 1024;

    [ThreadStatic] static Utf8JsonWriter? _writer;
    [ThreadStatic] static ArrayBufferWriter<byte>? _buffer;

    protected virtual int StatusCode => StatusCodes.Status200OK;

    protected abstract void Write(Utf8JsonWriter writer);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json; charset=utf-8";
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        try
        {
            Write(writer);
            writer.Flush();
            response.ContentLength = buffer.WrittenCount;
            // Copied into Kestrel's buffer synchronously; Kestrel sends it when the request completes.
            response.BodyWriter.Write(buffer.WrittenSpan);
        }
        finally
        {
            writer.Reset(Stream.Null);
            if (buffer.Capacity > MaxRetainedBufferBytes) _buffer = null;
            else buffer.ResetWrittenCount();
        }
        return Task.CompletedTask;
    }

    /// <summary>One ranked entry: <c>{ rank, playerId, score, metadata? }</c>.</summary>
    protected static void WriteEntry(Utf8JsonWriter writer, in RankedEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteNumber("rank", entry.Rank);
        writer.WriteString("playerId", entry.PlayerId);
        writer.WriteNumber("score", entry.Score);
        WriteMetadata(writer, entry.Metadata);
        writer.WriteEndObject();
    }

    protected static void WriteEntries(Utf8JsonWriter writer, IReadOnlyList<RankedEntry> entries)
    {
        writer.WriteStartArray("entries");
        for (var i = 0; i < entries.Count; i++) WriteEntry(writer, entries[i]);
        writer.WriteEndArray();
    }

    /// <summary>Metadata is stored as the UTF-8 JSON object it was submitted as; written as is.</summary>
    protected static void WriteMetadata(Utf8JsonWriter writer, ReadOnlyMemory<byte> metadata)
    {
        if (metadata.IsEmpty) return;
        writer.WritePropertyName("metadata");
        writer.WriteRawValue(metadata.Span, skipInputValidation: true);
    }

    protected static void WriteNullableNumber(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v) writer.WriteNumber(name, v);
        else writer.WriteNull(name);
    }
}
