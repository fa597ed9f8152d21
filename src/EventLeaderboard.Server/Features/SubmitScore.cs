using System.Text.Json;
using System.Text.Json.Serialization;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

/// <summary>Body of <c>POST /v1/leaderboards/{boardId}/scores</c>.</summary>
public sealed record SubmitScore(string? PlayerId, long? Score, string? SubmissionId, JsonElement? Metadata)
{
    public sealed class Validator : AbstractValidator<SubmitScore>
    {
        public Validator()
        {
            RuleFor(x => x.PlayerId).MustBePlayerId();
            RuleFor(x => x.Score).NotNull().WithMessage("Required: a 64-bit integer.");
            RuleFor(x => x.SubmissionId).MustBeKey().When(x => x.SubmissionId is not null);
            RuleFor(x => x.Metadata).MustBeMetadata();
        }
    }

    public ScoreInput ToInput() => new(PlayerId!, Score!.Value, SubmissionId, Metadata is { ValueKind: JsonValueKind.Null } ? null : Metadata);
}

public static class SubmitScoreEndpoint
{
    [WolverinePost("/v1/leaderboards/{boardId}/scores")]
    [Authorize(Policy = Roles.Ingest)]
    public static async Task<IResult> Post(string boardId, HttpContext context, RequestBody body, IValidator<SubmitScore> validator, ScoreIngest ingest)
    {
        if (!Validation.IsValidKey(boardId)) return ProblemResult.Validation("boardId", Validation.KeyMessage);
        var (request, problem) = await body.ReadAsync(context, RequestJsonContext.Default.SubmitScore, validator);
        if (problem is not null) return problem;
        var (answers, failure) = await ingest.SubmitAsync(boardId, [request!.ToInput()], Submitter.Of(context), static _ => "", context.RequestAborted);
        return failure ?? (IResult)new ScoreAnswerResponse(answers![0]);
    }
}

/// <summary><c>{ playerId, score, rank, previousRank, changed, duplicate, sequence }</c>.</summary>
public sealed class ScoreAnswerResponse(ScoreAnswer answer) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer) => WriteAnswer(writer, answer);

    internal static void WriteAnswer(Utf8JsonWriter writer, in ScoreAnswer answer)
    {
        var o = answer.Outcome;
        writer.WriteStartObject();
        writer.WriteString("playerId", o.PlayerId);
        writer.WriteNumber("score", o.Score);
        writer.WriteNumber("rank", o.Rank);
        WriteNullableNumber(writer, "previousRank", o.PreviousRank);
        writer.WriteBoolean("changed", o.Changed);
        writer.WriteBoolean("duplicate", answer.Duplicate);
        writer.WriteNumber("sequence", o.Sequence);
        writer.WriteEndObject();
    }
}

/// <summary>Who sends a request: the API key's name, recorded in the events.</summary>
public static class Submitter
{
    public static string Of(HttpContext context) => context.User.Identity?.Name ?? "anonymous";
}
