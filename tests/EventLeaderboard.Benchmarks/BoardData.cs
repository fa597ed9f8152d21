using EventLeaderboard.Ranking;

namespace EventLeaderboard.Benchmarks;

/// <summary>
/// The benchmark population: ids shaped like <c>player:1234567</c> (14 UTF-8 bytes), scores uniformly
/// random in [0, 1e9), tie positions 1..n, seeded so every run builds the same board.
/// </summary>
internal static class BoardData
{
    public const int DefaultPlayers = 10_000_000;
    public const long ScoreRange = 1_000_000_000;
    public const int Seed = 20261126;

    public static string IdOf(int player) => "player:" + player.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Builds a board by applying one submission per player (a realistic, split-filled tree).</summary>
    public static RankingBoard Build(int players, UpdatePolicy policy = UpdatePolicy.Latest)
    {
        var random = new Random(Seed);
        var board = new RankingBoard(SortOrder.Descending, policy);
        for (int i = 0; i < players; i++)
        {
            board.Apply(IdOf(i), random.NextInt64(0, ScoreRange), i + 1L);
        }
        return board;
    }

    /// <summary>Random existing ids, generated ahead so the measured operation does not format strings.</summary>
    public static string[] RandomIds(int players, int count, int seed)
    {
        var random = new Random(seed);
        var ids = new string[count];
        for (int i = 0; i < count; i++) ids[i] = IdOf(random.Next(players));
        return ids;
    }
}
