using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Features;

/// <summary>Body of <c>POST /v1/leaderboards/{boardId}/scores/batch</c>: 1-1000 scores, applied in order, all or nothing.</summary>
public sealed record SubmitScoreBatch(SubmitScore[]? Scores)
{
    public const int MaxItems = 1000;

    public sealed class Validator : AbstractValidator<SubmitScoreBatch>
    {
        public Validator()
        {
            RuleFor(x => x.Scores).NotNull().WithMessage("Required: an array of 1-1000 scores.")
                .Must(s => s is { Length: >= 1 and <= MaxItems }).WithMessage("Must hold 1-1000 scores.");
            // Items are checked by one rule that walks the array (see SubmitScore.Validator for why).
            RuleFor(x => x.Scores).Custom((scores, context) =>
            {
                if (scores is null) return;
                for (var i = 0; i < scores.Length; i++)
                    if (!SubmitScore.IsValid(scores[i])) SubmitScore.Check(scores[i], $"scores[{i}].", context);
            });
        }
    }
}

public static class SubmitScoreBatchEndpoint
{
    [WolverinePost("/v1/leaderboards/{boardId}/scores/batch")]
    [Authorize(Policy = Roles.Ingest)]
    public static async Task<IResult> Post(string boardId, HttpContext context, RequestBody body, IValidator<SubmitScoreBatch> validator, ScoreIngest ingest)
    {
        if (!Validation.IsValidKey(boardId)) return ProblemResult.Validation("boardId", Validation.KeyMessage);
        var (request, problem) = await body.ReadAsync(context, RequestJsonContext.Default.SubmitScoreBatch, validator);
        if (problem is not null) return problem;
        var inputs = Array.ConvertAll(request!.Scores!, s => s.ToInput());
        var (answers, failure) = await ingest.SubmitAsync(boardId, inputs, Submitter.Of(context), static i => $"scores[{i}].", context.RequestAborted);
        return failure ?? (IResult)new BatchAnswerResponse(answers!);
    }
}

/// <summary><c>{ results: [ ...one answer per submitted score, same order... ] }</c>.</summary>
public sealed class BatchAnswerResponse(ScoreAnswer[] answers) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("results");
        foreach (var answer in answers) ScoreAnswerResponse.WriteAnswer(writer, answer);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
