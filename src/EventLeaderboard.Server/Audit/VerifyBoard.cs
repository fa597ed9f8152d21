using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Projection;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Audit;

public static class VerifyBoardEndpoint
{
    /// <summary>
    /// Rebuilds the board from the event log alone and compares it with the live ranking at the
    /// same position: <c>{ consistent, players, sequence, checksum }</c>. <c>sequence</c> is the
    /// log position both reflect; <c>checksum</c> is the engine's content checksum (XxHash64 of
    /// every player id, score and tie position in rank order) of the rebuilt board, 16 hex digits.
    /// </summary>
    [WolverinePost("/v1/admin/leaderboards/{boardId}/verify")]
    [Authorize(Policy = Roles.Admin)]
    public static async Task<IResult> Post(string boardId, BoardVerifier verifier, LeaderboardProjection projection, HttpContext context)
    {
        if (!projection.IsReady) return ReadGate.NotReady(1);
        if (await verifier.VerifyAsync(boardId, context.RequestAborted) is not { } result) return ProblemResult.BoardNotFound(boardId);
        return Results.Json(new
        {
            consistent = result.Comparison.Consistent,
            players = result.Comparison.Players,
            sequence = LogPosition.EndOf(result.SeqId),
            checksum = result.Comparison.ChecksumText,
        });
    }
}
