using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Projection;

namespace EventLeaderboard.Server.Ingest;

/// <summary>
/// A request waiting for the group-commit writer. It completes only after its event is committed
/// and applied by this node's log follower, or fails with <see cref="CommitFailedException"/>.
/// </summary>
public abstract class PendingWrite
{
    /// <summary>Scores this write adds to a transaction (bounds the group-commit batch).</summary>
    public abstract int ScoreCount { get; }

    public abstract void Fail(Exception error);
}

/// <summary>How one submitted score came out when the log follower applied it.</summary>
public enum ScoreResultKind : byte { Applied, Duplicate, Overflow, UnknownBoard, Rejected }

/// <summary>The result of one submitted score. <see cref="Outcome"/> is the first outcome for duplicates.</summary>
public readonly record struct ScoreResult(ScoreResultKind Kind, SubmissionOutcome Outcome);

/// <summary>One score request (single or batch). Its items stay together in one event.</summary>
public sealed class ScoreSubmission(ScoreItem[] items) : PendingWrite
{
    readonly ScoreResult[] _results = new ScoreResult[items.Length];
    readonly TaskCompletionSource<ScoreResult[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _remaining = items.Length;

    public ScoreItem[] Items { get; } = items;

    public override int ScoreCount => Items.Length;

    public Task<ScoreResult[]> Completion => _completion.Task;

    /// <summary>Called by the log follower, once per item.</summary>
    public void Complete(int index, ScoreResult result)
    {
        _results[index] = result;
        if (Interlocked.Decrement(ref _remaining) == 0) _completion.TrySetResult(_results);
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);
}

/// <summary>A removal or a board definition: one event, one result.</summary>
public sealed class SingleEventWrite<TResult>(object @event, string streamKey) : PendingWrite
{
    readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public object Event { get; } = @event;

    /// <summary>Marten stream the event goes to.</summary>
    public string StreamKey { get; } = streamKey;

    public override int ScoreCount => 1;

    public Task<TResult> Completion => _completion.Task;

    public void Complete(TResult result) => _completion.TrySetResult(result);

    public override void Fail(Exception error) => _completion.TrySetException(error);
}

/// <summary>Outcome of a removal: false when the player was not on the board when it was applied.</summary>
public readonly record struct RemovalResult(bool Removed, long Sequence);

public enum BoardChangeKind : byte { Created, Updated, Conflict }

/// <summary>Outcome of a board definition, with the settings in force right after it.</summary>
public readonly record struct BoardChangeResult(BoardChangeKind Kind, BoardConfig? Config, long Sequence);

/// <summary>The transaction that carried the write did not commit; nothing of it is durable.</summary>
public class CommitFailedException(string message, Exception? inner) : Exception(message, inner);

/// <summary>
/// This node's projection failed while applying the log and is being rebuilt: the write was
/// committed or may still be; its outcome is unknown here. Retrying with the same submission id is
/// answered from the rebuilt idempotency window.
/// </summary>
public sealed class ApplyFailedException() : CommitFailedException(
    "This node failed while applying the event log and is rebuilding its rankings; the write may have been recorded. " +
    "Retry once the node is ready (scores with the same submissionId, which answers a recorded one as a duplicate).", null);

/// <summary>The node is shutting down: the write was not (or not knowingly) committed; retry elsewhere.</summary>
public sealed class ServerStoppingException(Exception? inner = null) : CommitFailedException("The server is stopping.", inner);
