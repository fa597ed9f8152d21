using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Http;
using Microsoft.Extensions.Options;
using EventLeaderboard.Server.Projection;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

public static class HealthEndpoints
{
    /// <summary>200 while the process serves HTTP.</summary>
    [WolverineGet("/health/live")]
    [AllowAnonymous]
    public static IResult Live() => Results.Json(new { status = "live" });

    /// <summary>200 once the start-up replay caught up with the log, 503 before.</summary>
    [WolverineGet("/health/ready")]
    [AllowAnonymous]
    public static IResult Ready(LeaderboardProjection projection, IOptions<IngestOptions> options) => projection.IsReady
        ? Results.Json(new { status = "ready", sequence = projection.AppliedSequence })
        : ReadGate.NotReady(options.Value.RetryAfterSeconds);
}
