using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Projection;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Http;

/// <summary>The read-your-writes part every read accepts: <c>minSequence</c> and <c>waitMs</c>.</summary>
public interface IConsistentRead
{
    long? MinSequence { get; }

    /// <summary>How long to wait for <see cref="MinSequence"/>, 0-30000 ms; default 2000.</summary>
    int WaitMs { get; }
}

public sealed class ConsistentReadValidator : AbstractValidator<IConsistentRead>
{
    public const int DefaultWaitMs = 2000;
    public const int MaxWaitMs = 30_000;

    public ConsistentReadValidator()
    {
        RuleFor(q => q.MinSequence).GreaterThanOrEqualTo(0);
        RuleFor(q => q.WaitMs).InclusiveBetween(0, MaxWaitMs);
    }
}

/// <summary>
/// Lets a read through once this node reflects what it asks for: 503 until the start-up replay
/// is done, and for <c>minSequence</c> an asynchronous wait (signalled by the log follower, no
/// polling) of up to <c>waitMs</c>, then 503 with Retry-After.
/// </summary>
public sealed class ReadGate(LeaderboardProjection projection, IOptions<IngestOptions> options)
{
    readonly int _retryAfter = options.Value.RetryAfterSeconds;

    public ValueTask<ProblemResult?> EnterAsync(IConsistentRead read, CancellationToken ct)
    {
        if (!projection.IsReady)
            return ValueTask.FromResult<ProblemResult?>(NotReady(_retryAfter));
        if (read.MinSequence is not { } min || projection.AppliedSequence >= min)
            return ValueTask.FromResult<ProblemResult?>(null);
        return WaitAsync(min, read.WaitMs, ct);
    }

    async ValueTask<ProblemResult?> WaitAsync(long min, int waitMs, CancellationToken ct)
    {
        if (await projection.WaitForAsync(min, TimeSpan.FromMilliseconds(waitMs), ct)) return null;
        return ProblemResult.Unavailable(
            $"This node has applied the log up to sequence {projection.AppliedSequence}, not yet {min}; retry later.", _retryAfter);
    }

    public static ProblemResult NotReady(int retryAfter) =>
        ProblemResult.Unavailable("The node is still replaying the event log.", retryAfter);
}
