namespace EventLeaderboard.Client.Contracts;

/// <summary>Result of a health probe. Probes never throw for 503: an unready node is an answer, not an error.</summary>
/// <param name="Healthy">True for a 2xx answer.</param>
/// <param name="StatusCode">The HTTP status the probe answered.</param>
/// <param name="Body">The answer's body as text (format is the server's choice).</param>
public sealed record HealthReport(bool Healthy, int StatusCode, string Body);
