using System.Text.Json;

namespace EventLeaderboard.Server.Http;

/// <summary>RFC 9457 problem documents, the body of every error answer.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static Task Write(HttpContext context, int status, string title, string? detail = null,
        IReadOnlyDictionary<string, string[]>? errors = null, int? retryAfterSeconds = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        if (retryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var writer = new Utf8JsonWriter(response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("type", $"https://httpstatuses.io/{status}");
        writer.WriteString("title", title);
        writer.WriteNumber("status", status);
        if (detail is not null) writer.WriteString("detail", detail);
        writer.WriteString("instance", context.Request.Path.Value);
        if (errors is not null)
        {
            writer.WriteStartObject("errors");
            foreach (var (field, messages) in errors)
            {
                writer.WriteStartArray(field);
                foreach (var message in messages) writer.WriteStringValue(message);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteString("traceId", context.TraceIdentifier);
        writer.WriteEndObject();
        writer.Flush();
        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }
}

/// <summary>A problem document as an <see cref="IResult"/>.</summary>
public sealed class ProblemResult(int status, string title, string? detail = null,
    IReadOnlyDictionary<string, string[]>? errors = null, int? retryAfterSeconds = null) : IResult
{
    public int Status => status;

    public IReadOnlyDictionary<string, string[]>? Errors => errors;

    public Task ExecuteAsync(HttpContext httpContext) => Problems.Write(httpContext, status, title, detail, errors, retryAfterSeconds);

    public static ProblemResult Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "One or more validation errors occurred.", "See 'errors' for the offending fields.", errors);

    public static ProblemResult Validation(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemResult BoardNotFound(string boardId) => new(StatusCodes.Status404NotFound, "Leaderboard not found", $"No leaderboard '{boardId}'.");

    public static ProblemResult PlayerNotFound(string boardId, string playerId) =>
        new(StatusCodes.Status404NotFound, "Player not found", $"Player '{playerId}' is not on leaderboard '{boardId}'.");

    public static ProblemResult Unavailable(string detail, int retryAfterSeconds) =>
        new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail, retryAfterSeconds: retryAfterSeconds);
}
