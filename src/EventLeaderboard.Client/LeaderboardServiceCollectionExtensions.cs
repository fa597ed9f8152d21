using EventLeaderboard.Client;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="LeaderboardClient"/> as a typed HttpClient with the standard resilience pipeline.</summary>
public static class LeaderboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LeaderboardClient"/> (transient, over a pooled handler from IHttpClientFactory) with
    /// <c>AddStandardResilienceHandler</c>: rate limiter, total timeout, retries with backoff that honour
    /// Retry-After, circuit breaker, attempt timeout. Retries are limited to requests
    /// <see cref="RetrySafety.IsRetrySafe"/> accepts: reads, and submissions, which carry a submission id the
    /// client generated before the first attempt.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the base address, API key and submission id behaviour.</param>
    /// <param name="configureResilience">Optional changes to the standard pipeline (retry count, delays, timeouts).</param>
    /// <returns>The HttpClient builder, for further handlers.</returns>
    public static IHttpClientBuilder AddLeaderboardClient(
        this IServiceCollection services,
        Action<LeaderboardClientOptions> configure,
        Action<HttpStandardResilienceOptions>? configureResilience = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LeaderboardClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is not null, "LeaderboardClientOptions.BaseAddress is required.");

        var builder = services.AddHttpClient(nameof(LeaderboardClient));
        builder.AddTypedClient((http, provider) =>
            new LeaderboardClient(http, provider.GetRequiredService<IOptions<LeaderboardClientOptions>>().Value));

        builder.AddStandardResilienceHandler(options =>
        {
            // The default predicate retries any method; narrow it to requests that cannot be applied twice.
            options.Retry.ShouldHandle = args => ValueTask.FromResult(
                RetrySafety.IsRetrySafe(args.Context.GetRequestMessage())
                && HttpClientResiliencePredicates.IsTransient(args.Outcome));
            configureResilience?.Invoke(options);
        });

        return builder;
    }
}
