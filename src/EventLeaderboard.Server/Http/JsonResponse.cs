using System.Text.Json;
using EventLeaderboard.Ranking;

namespace EventLeaderboard.Server.Http;

/// <summary>
/// A JSON answer written straight into the response pipe with a reused <see cref="Utf8JsonWriter"/>:
/// the read path is the hot path (tens of thousands of requests a second), so it serializes
/// without reflection, intermediate objects or a writer per request.
/// </summary>
public abstract class JsonResponse : IResult
{
    [ThreadStatic] static Utf8JsonWriter? _writer;

    protected virtual int StatusCode => StatusCodes.Status200OK;

    protected abstract void Write(Utf8JsonWriter writer);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json; charset=utf-8";
        var writer = _writer ??= new Utf8JsonWriter(Stream.Null);
        writer.Reset(response.BodyWriter);
        try
        {
            Write(writer);
            writer.Flush();
        }
        finally
        {
            writer.Reset(Stream.Null);
        }
        return response.BodyWriter.FlushAsync(httpContext.RequestAborted).AsTask();
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
