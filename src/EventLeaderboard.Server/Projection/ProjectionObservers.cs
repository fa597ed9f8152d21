using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Subscriptions;

namespace EventLeaderboard.Server.Projection;

/// <summary>
/// Hands each projection change to several observers, in registration order, on the follower's
/// thread. One observer is used as is (no extra call per score on the hot path).
/// </summary>
public sealed class ProjectionObservers : IProjectionObserver
{
    readonly IProjectionObserver[] _all;

    ProjectionObservers(IProjectionObserver[] all) => _all = all;

    /// <summary>Null for none, the observer itself for one, a fan-out for more.</summary>
    public static IProjectionObserver? Of(IEnumerable<IProjectionObserver>? observers)
    {
        var all = observers?.ToArray() ?? [];
        return all.Length switch
        {
            0 => null,
            1 => all[0],
            _ => new ProjectionObservers(all),
        };
    }

    public void ScoreApplied(BoardState board, ScoreItem item, in ApplyResult result, long position)
    {
        foreach (var o in _all) o.ScoreApplied(board, item, result, position);
    }

    public void PlayerRemoved(BoardState board, string playerId, long previousRank, long position)
    {
        foreach (var o in _all) o.PlayerRemoved(board, playerId, previousRank, position);
    }

    public void BoardChanged(BoardConfig config, long position)
    {
        foreach (var o in _all) o.BoardChanged(config, position);
    }

    public void Advanced(long seqId)
    {
        foreach (var o in _all) o.Advanced(seqId);
    }

    public void Rebuilding()
    {
        foreach (var o in _all) o.Rebuilding();
    }
}
