using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;

namespace EventLeaderboard.Server.RateLimiting;

/// <summary>
/// Per-key rate limits with ASP.NET Core rate limiting: one token bucket per (kind, key name),
/// where the kind comes from the endpoint's authorization policy (<c>ingest</c> endpoints use the
/// ingest bucket, every other keyed endpoint the read bucket). Endpoints without a policy
/// (health, metrics, docs, the dashboard's files) are not limited. Rejections are 429 problem
/// documents with Retry-After.
/// </summary>
public static class RateLimitRegistration
{
    public static IServiceCollection AddLeaderboardRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimiting").Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (!options.Enabled) return services;
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, options));
            limiter.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    /// <summary>After authorization: the key's name is known, and refused keys spend no tokens.</summary>
    public static WebApplication UseLeaderboardRateLimiting(this WebApplication app)
    {
        var options = app.Configuration.GetSection("RateLimiting").Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.Enabled) app.UseRateLimiter();
        return app;
    }

    static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions options)
    {
        var policy = PolicyOf(context.GetEndpoint());
        if (policy is null) return RateLimitPartition.GetNoLimiter("unlimited");
        var ingest = policy == Roles.Ingest;
        var settings = ingest ? options.Ingest : options.Read;
        // Runs on every request: a key's bucket ids are made once with its principal. Anonymous readers
        // (Auth:AnonymousRead) share a bucket per client address.
        var partition = context.User is ApiKeyPrincipal key ? (ingest ? key.IngestPartition : key.ReadPartition)
            : (ingest ? "ingest:" : "read:") + (context.User.FindFirstValue(ClaimTypes.Name) ?? "anonymous@" + context.Connection.RemoteIpAddress);
        return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, settings.Burst),
            TokensPerPeriod = Math.Max(1, settings.PermitsPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>The endpoint's first named authorization policy; a loop, not LINQ, because it runs per request.</summary>
    static string? PolicyOf(Endpoint? endpoint)
    {
        if (endpoint is null) return null;
        foreach (var data in endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>())
            if (data.Policy is not null) return data.Policy;
        return null;
    }

    static ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        return new ValueTask(Problems.Write(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"This API key exceeded its rate limit; retry after {seconds.ToString(CultureInfo.InvariantCulture)} s.", retryAfterSeconds: seconds));
    }
}
