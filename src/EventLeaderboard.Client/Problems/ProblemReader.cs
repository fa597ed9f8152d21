using System.Net.Http.Headers;
using System.Text.Json;

namespace EventLeaderboard.Client.Problems;

/// <summary>Turns a non-success answer into a <see cref="LeaderboardProblem"/>.</summary>
internal static class ProblemReader
{
    // A problem document is small; a proxy's error page may not be. Keep enough to diagnose.
    private const int MaxDetailChars = 2000;

    private static readonly HashSet<string> StandardMembers = new(StringComparer.Ordinal)
    {
        "type", "title", "status", "detail", "instance", "errors",
    };

    public static async Task<LeaderboardProblem> ReadAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = ParseRetryAfter(response.Headers.RetryAfter, time);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);

        if (LooksLikeJson(response.Content.Headers.ContentType, body))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return FromDocument(status, document.RootElement, retryAfter);
                }
            }
            catch (JsonException)
            {
                // Declared JSON but is not: fall through and report the raw text.
            }
        }

        return new LeaderboardProblem(
            status,
            Type: null,
            Title: response.ReasonPhrase,
            Detail: body.Length > MaxDetailChars ? body[..MaxDetailChars] : (body.Length == 0 ? null : body),
            Instance: null,
            Errors: new Dictionary<string, string[]>(),
            Extensions: new Dictionary<string, JsonElement>(),
            retryAfter);
    }

    /// <summary>
    /// Delta-seconds is used as is; an HTTP date becomes the delay from now, never negative.
    /// </summary>
    internal static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header, TimeProvider time) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero,
        _ => null,
    };

    private static bool LooksLikeJson(MediaTypeHeaderValue? contentType, string body) =>
        contentType?.MediaType is { } media
            ? media.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            : body.TrimStart().StartsWith('{');

    private static LeaderboardProblem FromDocument(int status, JsonElement root, TimeSpan? retryAfter)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in root.EnumerateObject())
        {
            if (member.NameEquals("errors") && member.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in member.Value.EnumerateObject())
                {
                    errors[field.Name] = ReadMessages(field.Value);
                }
            }
            else if (!StandardMembers.Contains(member.Name))
            {
                extensions[member.Name] = member.Value.Clone();
            }
        }

        return new LeaderboardProblem(
            status,
            GetString(root, "type"),
            GetString(root, "title"),
            GetString(root, "detail"),
            GetString(root, "instance"),
            errors,
            extensions,
            retryAfter);
    }

    // ASP.NET sends { field: ["message"] }; other servers send a bare string. Accept both.
    private static string[] ReadMessages(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => [.. value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText())],
        JsonValueKind.String => [value.GetString()!],
        _ => [value.GetRawText()],
    };

    private static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
