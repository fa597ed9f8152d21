using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Projection;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

/// <summary>
/// Body of <c>PUT /v1/leaderboards/{boardId}</c>. <c>sortOrder</c> and <c>updatePolicy</c> are
/// required and fixed once the board exists; omitted optional fields keep their values.
/// </summary>
public sealed record DefineBoard(string? SortOrder, string? UpdatePolicy, long? MinScore, long? MaxScore, int? TopN, string? DisplayName)
{
    public const int MaxTopN = 10_000;
    public const int MaxDisplayNameLength = 200;

    public sealed class Validator : AbstractValidator<DefineBoard>
    {
        public Validator()
        {
            RuleFor(x => x.SortOrder).Must(s => BoardNames.TryParseSortOrder(s, out _)).WithMessage("Must be 'descending' or 'ascending'.");
            RuleFor(x => x.UpdatePolicy).Must(p => BoardNames.TryParseUpdatePolicy(p, out _)).WithMessage("Must be 'best', 'latest' or 'increment'.");
            RuleFor(x => x.TopN).InclusiveBetween(1, MaxTopN);
            RuleFor(x => x.DisplayName).MaximumLength(MaxDisplayNameLength).Must(n => n is null || !n.Any(char.IsControl))
                .WithMessage("Must not contain control characters.");
            RuleFor(x => x.MaxScore).GreaterThanOrEqualTo(x => x.MinScore!.Value).When(x => x.MinScore is not null && x.MaxScore is not null)
                .WithMessage("Must be greater than or equal to minScore.");
        }
    }
}

public static class DefineBoardEndpoint
{
    [WolverinePut("/v1/leaderboards/{boardId}")]
    [Authorize(Policy = Roles.Admin)]
    public static async Task<IResult> Put(string boardId, HttpContext context, RequestBody body, IValidator<DefineBoard> validator,
        LeaderboardProjection projection, GroupCommitWriter writer, IOptions<IngestOptions> options)
    {
        if (!Validation.IsValidKey(boardId)) return ProblemResult.Validation("boardId", Validation.KeyMessage);
        var (request, problem) = await body.ReadAsync(context, RequestJsonContext.Default.DefineBoard, validator);
        if (problem is not null) return problem;
        if (!projection.IsReady) return ReadGate.NotReady(options.Value.RetryAfterSeconds);
        if (Decide(boardId, request!, projection, Submitter.Of(context), DateTimeOffset.UtcNow) is not { } evt)
            return FixedSettingsConflict(boardId);
        if (evt is ProblemResult invalid) return invalid;

        var write = new SingleEventWrite<BoardChangeResult>(evt, "board:" + boardId);
        try
        {
            await writer.EnqueueAsync(write, context.RequestAborted);
            var result = await write.Completion;
            return result.Kind switch
            {
                BoardChangeKind.Created => new BoardResponse(result.Config!, 0, result.Sequence, StatusCodes.Status201Created),
                BoardChangeKind.Updated => new BoardResponse(result.Config!, PlayerCount(projection, boardId), result.Sequence),
                _ => FixedSettingsConflict(boardId),
            };
        }
        catch (CommitFailedException e)
        {
            return ProblemResult.Unavailable(e is ApplyFailedException ? e.Message : "The event store did not commit the change; nothing was recorded.", options.Value.RetryAfterSeconds);
        }
    }

    /// <summary>The event to append: BoardDefined for a new board, BoardUpdated otherwise; null on a fixed-setting conflict.</summary>
    static object? Decide(string boardId, DefineBoard request, LeaderboardProjection projection, string by, DateTimeOffset now)
    {
        BoardNames.TryParseSortOrder(request.SortOrder, out var order);
        BoardNames.TryParseUpdatePolicy(request.UpdatePolicy, out var policy);
        if (!projection.TryGetBoard(boardId, out var board))
            return new BoardDefined(boardId, request.SortOrder!, request.UpdatePolicy!, request.MinScore, request.MaxScore,
                request.TopN, request.DisplayName, by, now);
        var current = board.Config;
        if (current.SortOrder != order || current.UpdatePolicy != policy) return null;
        var min = request.MinScore ?? current.MinScore;
        var max = request.MaxScore ?? current.MaxScore;
        if (min is { } lo && max is { } hi && lo > hi)
            return ProblemResult.Validation(request.MinScore is null ? "maxScore" : "minScore", $"The bounds would become [{lo}, {hi}]: minScore must not exceed maxScore.");
        return new BoardUpdated(boardId, request.MinScore, request.MaxScore, request.TopN, request.DisplayName, by, now);
    }

    static long PlayerCount(LeaderboardProjection projection, string boardId) =>
        projection.TryGetBoard(boardId, out var board) ? board.Ranking.Count : 0;

    static ProblemResult FixedSettingsConflict(string boardId) => new(StatusCodes.Status409Conflict, "Fixed board settings",
        $"Leaderboard '{boardId}' exists with another sortOrder or updatePolicy; these cannot change.");
}

/// <summary><c>{ boardId, sortOrder, updatePolicy, minScore, maxScore, topN, displayName, playerCount, sequence }</c>.</summary>
public sealed class BoardResponse(BoardConfig config, long playerCount, long sequence, int status = StatusCodes.Status200OK) : JsonResponse
{
    protected override int StatusCode => status;

    protected override void Write(Utf8JsonWriter writer)
    {
        WriteBoard(writer, config, playerCount);
        writer.WriteNumber("sequence", sequence);
        writer.WriteEndObject();
    }

    /// <summary>Writes the board's fields into a started object (the caller ends it).</summary>
    internal static void WriteBoard(Utf8JsonWriter writer, BoardConfig config, long playerCount)
    {
        writer.WriteStartObject();
        writer.WriteString("boardId", config.BoardId);
        writer.WriteString("sortOrder", BoardNames.Of(config.SortOrder));
        writer.WriteString("updatePolicy", BoardNames.Of(config.UpdatePolicy));
        WriteNullableNumber(writer, "minScore", config.MinScore);
        WriteNullableNumber(writer, "maxScore", config.MaxScore);
        writer.WriteNumber("topN", config.TopN);
        if (config.DisplayName is null) writer.WriteNull("displayName");
        else writer.WriteString("displayName", config.DisplayName);
        writer.WriteNumber("playerCount", playerCount);
    }
}
