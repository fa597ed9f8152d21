using System.Net;
using System.Text;
using System.Text.Json;

namespace EventLeaderboard.Client.Problems;

/// <summary>
/// The server rejected a request. Catch a subclass for the statuses callers handle differently
/// (<see cref="LeaderboardValidationException"/> 400, <see cref="LeaderboardUnauthorizedException"/> 401,
/// <see cref="LeaderboardForbiddenException"/> 403, <see cref="LeaderboardNotFoundException"/> 404,
/// <see cref="LeaderboardConflictException"/> 409, <see cref="LeaderboardUnavailableException"/> 503);
/// any other status is this base type.
/// </summary>
public class LeaderboardProblemException : Exception
{
    /// <summary>Wraps a problem answer.</summary>
    public LeaderboardProblemException(LeaderboardProblem problem)
        : base(Describe(problem)) => Problem = problem;

    /// <summary>The whole problem document.</summary>
    public LeaderboardProblem Problem { get; }

    /// <summary>HTTP status code.</summary>
    public HttpStatusCode Status => (HttpStatusCode)Problem.Status;

    /// <summary>Short summary of the problem type.</summary>
    public string? Title => Problem.Title;

    /// <summary>Explanation specific to this occurrence.</summary>
    public string? Detail => Problem.Detail;

    /// <summary>Validation messages keyed by field path; empty when none.</summary>
    public IReadOnlyDictionary<string, string[]> Errors => Problem.Errors;

    /// <summary>Delay the server asked for before trying again, when it sent Retry-After.</summary>
    public TimeSpan? RetryAfter => Problem.RetryAfter;

    /// <summary>Other members of the problem document.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions => Problem.Extensions;

    /// <summary>The exception type that fits the status code.</summary>
    public static LeaderboardProblemException For(LeaderboardProblem problem) => problem.Status switch
    {
        400 => new LeaderboardValidationException(problem),
        401 => new LeaderboardUnauthorizedException(problem),
        403 => new LeaderboardForbiddenException(problem),
        404 => new LeaderboardNotFoundException(problem),
        409 => new LeaderboardConflictException(problem),
        503 => new LeaderboardUnavailableException(problem),
        _ => new LeaderboardProblemException(problem),
    };

    private static string Describe(LeaderboardProblem problem)
    {
        var text = new StringBuilder().Append(problem.Status).Append(' ').Append(problem.Title ?? "Request failed");
        if (!string.IsNullOrEmpty(problem.Detail))
        {
            text.Append(": ").Append(problem.Detail);
        }

        foreach (var (field, messages) in problem.Errors)
        {
            text.Append(" [").Append(field).Append(": ").AppendJoin("; ", messages).Append(']');
        }

        return text.ToString();
    }
}

/// <summary>400: the request is malformed or a value is invalid; <see cref="LeaderboardProblemException.Errors"/> says which. Nothing was appended.</summary>
public sealed class LeaderboardValidationException(LeaderboardProblem problem) : LeaderboardProblemException(problem);

/// <summary>401: the API key is missing or unknown.</summary>
public sealed class LeaderboardUnauthorizedException(LeaderboardProblem problem) : LeaderboardProblemException(problem);

/// <summary>403: the API key lacks the role the operation needs.</summary>
public sealed class LeaderboardForbiddenException(LeaderboardProblem problem) : LeaderboardProblemException(problem);

/// <summary>404: unknown board, player or subscription group.</summary>
public sealed class LeaderboardNotFoundException(LeaderboardProblem problem) : LeaderboardProblemException(problem);

/// <summary>409: the request conflicts with the current state (e.g. a board's sort order or update policy cannot change).</summary>
public sealed class LeaderboardConflictException(LeaderboardProblem problem) : LeaderboardProblemException(problem);

/// <summary>
/// 503: the node cannot answer now (projection not caught up to <c>minSequence</c> within <c>waitMs</c>, or not ready).
/// <see cref="LeaderboardProblemException.RetryAfter"/> says when to try again.
/// </summary>
public sealed class LeaderboardUnavailableException(LeaderboardProblem problem) : LeaderboardProblemException(problem);
