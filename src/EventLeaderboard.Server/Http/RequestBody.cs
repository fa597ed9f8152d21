using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EventLeaderboard.Server.Configuration;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Http;

/// <summary>
/// Reads and validates a JSON request body. Every failure is a problem document, never a 500:
/// too large (413), malformed JSON or a value of the wrong type or out of range
/// for its type (400, keyed by the JSON path), or a FluentValidation failure (400, keyed by field path).
/// </summary>
public sealed class RequestBody(IOptions<HttpLimitsOptions> limits)
{
    readonly long _maxBytes = limits.Value.MaxRequestBodyBytes;

    public async ValueTask<(T? Value, ProblemResult? Problem)> ReadAsync<T>(
        HttpContext context, JsonTypeInfo<T> typeInfo, IValidator<T> validator) where T : class
    {
        var request = context.Request;
        // The body is parsed as JSON whatever Content-Type says: clients that forget the header get
        // a 400 for malformed JSON, not a surprise 415.
        if (request.ContentLength > _maxBytes)
            return (null, TooLarge());

        var reader = request.BodyReader;
        ReadResult read;
        while (true)
        {
            try { read = await reader.ReadAsync(context.RequestAborted); }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return (null, TooLarge()); }
            catch (BadHttpRequestException e)
            {
                // A truncated body or a client that went away: a 400, not an unhandled 500.
                return (null, new ProblemResult(e.StatusCode, "Bad request body", e.Message));
            }
            if (read.Buffer.Length > _maxBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                return (null, TooLarge());
            }
            if (read.IsCompleted) break;
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        T? value;
        try
        {
            value = Deserialize(read.Buffer, typeInfo);
        }
        catch (JsonException e)
        {
            return (null, ProblemResult.Validation(FieldPath(e.Path), "The body is not valid JSON, or a value has the wrong type or is out of range for its type."));
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }
        if (value is null)
            return (null, ProblemResult.Validation("body", "A JSON object body is required."));

        var result = validator.Validate(value);
        return result.IsValid ? (value, null) : (null, ProblemResult.Validation(Validation.ToErrors(result)));
    }

    static T? Deserialize<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> typeInfo)
    {
        if (body.IsEmpty) return default;
        if (body.IsSingleSegment || body.Length > MaxContiguousBytes) return Deserialize(new Utf8JsonReader(body), typeInfo);
        // A batch body spans many of Kestrel's 4 KB pipe segments, and the reader's multi-segment
        // paths cost far more per token than copying the body once into one span (what the
        // deserialized values keep is copied out of it: strings, and metadata as its own document).
        var contiguous = ArrayPool<byte>.Shared.Rent((int)body.Length);
        try
        {
            body.CopyTo(contiguous);
            return Deserialize(new Utf8JsonReader(contiguous.AsSpan(0, (int)body.Length)), typeInfo);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(contiguous);
        }
    }

    /// <summary>Through a reader in both cases: its errors name the JSON path the way the problem documents expect.</summary>
    static T? Deserialize<T>(Utf8JsonReader reader, JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(ref reader, typeInfo);

    /// <summary>Bodies up to this size (the default limit is 1 MB) are parsed from one pooled copy.</summary>
    const long MaxContiguousBytes = 16 * 1024 * 1024;

    /// <summary>"$.scores[3].score" -> "scores[3].score"; the root is "body".</summary>
    static string FieldPath(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "body";
        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
    }

    ProblemResult TooLarge() => new(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body may be at most {_maxBytes} bytes.");
}
