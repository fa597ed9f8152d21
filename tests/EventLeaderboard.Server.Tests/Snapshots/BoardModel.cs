namespace EventLeaderboard.Server.Tests.Snapshots;

/// <summary>
/// A best-score descending board as a sorted list (the reference the service must match): higher
/// score first, then the earlier position (the submission that reached the score first).
/// </summary>
public sealed class BoardModel
{
    readonly Dictionary<string, (long Score, long Position)> _players = [];

    public void Submit(string player, long score, long position)
    {
        if (_players.TryGetValue(player, out var current) && current.Score >= score) return;
        _players[player] = (score, position);
    }

    public BoardModel Copy()
    {
        var copy = new BoardModel();
        foreach (var (player, entry) in _players) copy._players[player] = entry;
        return copy;
    }

    public (string Player, long Score, long Rank)[] Top(int limit) => _players
        .OrderByDescending(p => p.Value.Score).ThenBy(p => p.Value.Position)
        .Take(limit)
        .Select((p, i) => (p.Key, p.Value.Score, (long)i + 1))
        .ToArray();

    public int Count => _players.Count;
}
