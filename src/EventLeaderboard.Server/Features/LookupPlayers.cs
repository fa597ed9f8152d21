using System.Text.Json;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Projection;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

/// <summary>Body of <c>POST /v1/leaderboards/{boardId}/players/lookup</c>: 1-1000 player ids (friends leaderboards).</summary>
public sealed record LookupPlayers(string?[]? PlayerIds)
{
    public const int MaxPlayers = 1000;

    public sealed class Validator : AbstractValidator<LookupPlayers>
    {
        public Validator()
        {
            RuleFor(x => x.PlayerIds).NotNull().WithMessage("Required: an array of 1-1000 player ids.")
                .Must(ids => ids is { Length: >= 1 and <= MaxPlayers }).WithMessage("Must hold 1-1000 player ids.");
            RuleForEach(x => x.PlayerIds).MustBePlayerId();
        }
    }
}

public static class LookupPlayersEndpoint
{
    [WolverinePost("/v1/leaderboards/{boardId}/players/lookup")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Post(string boardId, HttpContext context, RequestBody body, IValidator<LookupPlayers> validator,
        IValidator<BoardQuery> queryValidator, ReadGate gate, LeaderboardProjection projection)
    {
        var (request, problem) = await body.ReadAsync(context, RequestJsonContext.Default.LookupPlayers, validator);
        if (problem is not null) return problem;
        if (QueryValidation.Validate(context, BoardQuery.From, queryValidator, out var query) is { } invalid) return invalid;
        if (await gate.EnterAsync(query, context.RequestAborted) is { } unavailable) return unavailable;
        var sequence = projection.AppliedSequence;
        if (!projection.TryGetBoard(boardId, out var board)) return ProblemResult.BoardNotFound(boardId);
        var entries = board.Ranking.Lookup(request!.PlayerIds!, out var missing);
        return new LookupResponse(sequence, entries, missing);
    }
}

/// <summary><c>{ sequence, entries: [...] in rank order, missing: [...] }</c>.</summary>
public sealed class LookupResponse(long sequence, IReadOnlyList<RankedEntry> entries, IReadOnlyList<string> missing) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequence", sequence);
        WriteEntries(writer, entries);
        writer.WriteStartArray("missing");
        foreach (var id in missing) writer.WriteStringValue(id);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
