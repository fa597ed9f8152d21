using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Projection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

public static class RemovePlayerEndpoint
{
    /// <summary>Removes the player from the ranking (the history stays in the log). A later submission starts a fresh entry.</summary>
    [WolverineDelete("/v1/leaderboards/{boardId}/players/{playerId}")]
    [Authorize(Policy = Roles.Admin)]
    public static async Task<IResult> Delete(string boardId, string playerId, HttpContext context,
        LeaderboardProjection projection, GroupCommitWriter writer, IOptions<IngestOptions> options)
    {
        if (!projection.IsReady) return ReadGate.NotReady(options.Value.RetryAfterSeconds);
        if (!projection.TryGetBoard(boardId, out var board)) return ProblemResult.BoardNotFound(boardId);
        if (!board.Ranking.TryGet(playerId, out _)) return ProblemResult.PlayerNotFound(boardId, playerId);

        var write = new SingleEventWrite<RemovalResult>(
            new PlayerRemoved(boardId, playerId, Submitter.Of(context), DateTimeOffset.UtcNow), streamKey: "");
        try
        {
            await writer.EnqueueAsync(write, context.RequestAborted);
            var result = await write.Completion;
            // Removed concurrently by someone else between the check and the apply: nothing changed.
            return result.Removed ? new RemovedResponse(playerId, result.Sequence) : ProblemResult.PlayerNotFound(boardId, playerId);
        }
        catch (CommitFailedException e)
        {
            return ProblemResult.Unavailable(e is ApplyFailedException ? e.Message : "The event store did not commit the removal; nothing was recorded.", options.Value.RetryAfterSeconds);
        }
    }
}

/// <summary><c>{ playerId, sequence }</c>.</summary>
public sealed class RemovedResponse(string playerId, long sequence) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("playerId", playerId);
        writer.WriteNumber("sequence", sequence);
        writer.WriteEndObject();
    }
}
