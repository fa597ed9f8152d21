namespace EventLeaderboard.Server.Subscriptions.InProcess;

/// <summary>
/// The shipped in-process handler: a log line when a board gets a new leader (Information) and when
/// players enter or leave a top N (Debug). A Wolverine handler like any other, found by the
/// <c>...Handler</c>/<c>Handle</c> convention; reacting to a notification in the server is adding a
/// class like this one (see docs/subscriptions.md). Every kind the in-process group subscribes to
/// must have a handler: Wolverine refuses to invoke a message nobody handles.
/// </summary>
public static class TopChangesLogHandler
{
    public static void Handle(NewLeader message, ILogger<NewLeader> logger) =>
        logger.LogInformation("Board {Board} has a new leader: {Player} (previously {Previous}) at sequence {Sequence}",
            message.BoardId, message.PlayerId, message.PreviousLeader ?? "nobody", message.Sequence);

    public static void Handle(PlayerEnteredTop message, ILogger<PlayerEnteredTop> logger) =>
        logger.LogDebug("{Player} entered the top {TopN} of {Board} at rank {Rank}", message.PlayerId, message.TopN, message.BoardId, message.Rank);

    public static void Handle(PlayerLeftTop message, ILogger<PlayerLeftTop> logger) =>
        logger.LogDebug("{Player} left the top {TopN} of {Board} (rank {Rank})", message.PlayerId, message.TopN, message.BoardId, message.Rank);
}
