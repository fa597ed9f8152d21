using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Projection;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>On-demand snapshots (admin): of every board, or of one.</summary>
public static class TakeSnapshotEndpoint
{
    /// <summary>Snapshots every board now; <c>{ snapshots: [ { boardId, sequence, players, bytes, id } ] }</c>.</summary>
    [WolverinePost("/v1/admin/snapshots")]
    [Authorize(Policy = Roles.Admin)]
    public static async Task<IResult> All(SnapshotTaker taker, LeaderboardProjection projection, HttpContext context)
    {
        if (!projection.IsReady) return ReadGate.NotReady(1);
        return Answer(await taker.TakeAsync(null, context.RequestAborted));
    }

    /// <summary>Snapshots one board now.</summary>
    [WolverinePost("/v1/admin/leaderboards/{boardId}/snapshot")]
    [Authorize(Policy = Roles.Admin)]
    public static async Task<IResult> One(string boardId, SnapshotTaker taker, LeaderboardProjection projection, HttpContext context)
    {
        if (!projection.IsReady) return ReadGate.NotReady(1);
        if (!projection.TryGetBoard(boardId, out _)) return ProblemResult.BoardNotFound(boardId);
        return Answer(await taker.TakeAsync(boardId, context.RequestAborted));
    }

    static IResult Answer(List<SnapshotTaken> taken) => Results.Json(new
    {
        snapshots = taken.Select(t => new
        {
            boardId = t.BoardId,
            sequence = LogPosition.EndOf(t.SeqId),
            players = t.Players,
            bytes = t.SizeBytes,
            id = t.SnapshotId,
        }),
    });
}
