using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client;

public sealed partial class LeaderboardClient
{
    /// <summary><c>GET /health/live</c>: is the process up.</summary>
    public Task<HealthReport> GetLivenessAsync(CancellationToken cancellationToken = default) =>
        ProbeAsync("health/live", cancellationToken);

    /// <summary><c>GET /health/ready</c>: healthy only once every board is rebuilt and caught up.</summary>
    public Task<HealthReport> GetReadinessAsync(CancellationToken cancellationToken = default) =>
        ProbeAsync("health/ready", cancellationToken);

    /// <summary><c>GET /metrics</c>: Prometheus text format, as is.</summary>
    public Task<string> GetMetricsTextAsync(CancellationToken cancellationToken = default) =>
        GetTextAsync("metrics", cancellationToken);

    /// <summary><c>GET /openapi/v1.json</c>: the server's OpenAPI document, as is.</summary>
    public Task<string> GetOpenApiDocumentAsync(CancellationToken cancellationToken = default) =>
        GetTextAsync("openapi/v1.json", cancellationToken);

    private async Task<HealthReport> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, path, retrySafe: false);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new HealthReport(response.IsSuccessStatusCode, (int)response.StatusCode, body);
    }

    private async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, path, retrySafe: true);
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}
