using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EventLeaderboard.Client.Problems;
using EventLeaderboard.Client.Serialization;

namespace EventLeaderboard.Client;

/// <summary>
/// Typed client of the EventLeaderboard HTTP API (v1). One method per operation of the contract, split
/// over partial files by contract section. Every non-success answer is thrown as a
/// <see cref="LeaderboardProblemException"/> subclass. The client itself never retries: resilience is
/// the HttpClient pipeline's job (see <c>AddLeaderboardClient</c>);
/// the client only marks which requests are safe to repeat (<see cref="RetrySafety"/>).
/// Thread-safe; share one instance per HttpClient.
/// </summary>
public sealed partial class LeaderboardClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly Uri _baseAddress;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly LeaderboardClientOptions _options;

    /// <summary>Uses <paramref name="httpClient"/> as configured (its BaseAddress, its handlers), with default options.</summary>
    public LeaderboardClient(HttpClient httpClient)
        : this(httpClient, new LeaderboardClientOptions())
    {
    }

    /// <summary>Uses <paramref name="httpClient"/> with <paramref name="options"/>; the caller keeps ownership of the HttpClient.</summary>
    public LeaderboardClient(HttpClient httpClient, LeaderboardClientOptions options)
        : this(httpClient, options, ownsHttpClient: false)
    {
    }

    private LeaderboardClient(HttpClient httpClient, LeaderboardClientOptions options, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _options = options;
        _ownsHttpClient = ownsHttpClient;
        _baseAddress = WithTrailingSlash(options.BaseAddress ?? httpClient.BaseAddress
            ?? throw new ArgumentException("Set LeaderboardClientOptions.BaseAddress or HttpClient.BaseAddress.", nameof(options)));
        _authorization = options.ApiKey is { Length: > 0 } key ? new AuthenticationHeaderValue("Bearer", key) : null;
    }

    /// <summary>
    /// A client with its own HttpClient (disposed with the client) over <paramref name="handler"/>, or over a
    /// <see cref="SocketsHttpHandler"/> when null. No retries: use <c>AddLeaderboardClient</c> for those.
    /// </summary>
    public static LeaderboardClient Create(Uri baseAddress, string? apiKey = null, HttpMessageHandler? handler = null) =>
        Create(new LeaderboardClientOptions { BaseAddress = baseAddress, ApiKey = apiKey }, handler);

    /// <summary>
    /// A client with its own HttpClient (disposed with the client) over <paramref name="handler"/>, or over a
    /// <see cref="SocketsHttpHandler"/> when null; <see cref="LeaderboardClientOptions.BaseAddress"/> is required.
    /// </summary>
    public static LeaderboardClient Create(LeaderboardClientOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        return new LeaderboardClient(http, options, ownsHttpClient: true);
    }

    /// <summary>The root all request paths are resolved against (always ends with a slash).</summary>
    public Uri BaseAddress => _baseAddress;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static LeaderboardJsonContext Json => LeaderboardJsonContext.Default;

    private HttpRequestMessage NewRequest(HttpMethod method, string relativePath, bool retrySafe)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseAddress, relativePath));
        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }

        request.Options.Set(RetrySafety.Key, retrySafe);

        return request;
    }

    // Bytes rather than a streaming JsonContent: the body has a Content-Length and can be sent again
    // unchanged when the resilience pipeline retries the same HttpRequestMessage.
    private static ByteArrayContent JsonBody<T>(T value, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var problem = await ProblemReader.ReadAsync(response, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            throw LeaderboardProblemException.For(problem);
        }
    }

    private async Task<TResponse> SendAsync<TResponse>(HttpRequestMessage request, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using (request)
        using (var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException($"The server answered {(int)response.StatusCode} with a null body where {typeof(TResponse).Name} was expected.");
            }
        }
    }

    private async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        using (await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false))
        {
        }
    }
}
