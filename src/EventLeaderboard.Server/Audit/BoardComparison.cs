using EventLeaderboard.Ranking;

namespace EventLeaderboard.Server.Audit;

/// <summary>The result of comparing two rankings entry by entry.</summary>
/// <param name="Mismatches">Ranks (1-based) whose player, score or tie position differ, plus the count difference.</param>
/// <param name="FirstMismatchRank">The first differing rank (1-based), null when equal.</param>
public sealed record BoardComparison(bool Consistent, long Players, ulong Checksum, long Mismatches, long? FirstMismatchRank)
{
    /// <summary>
    /// Compares every entry (player id, score, tie position) of <paramref name="rebuilt"/> with
    /// <paramref name="live"/>, in rank order. Metadata is not compared (the contract's
    /// consistency is about standings). Both boards must be quiescent (private copies).
    /// </summary>
    public static BoardComparison Of(RankingBoard rebuilt, RankingBoard live)
    {
        long mismatches = 0;
        long? first = null;
        using var a = rebuilt.EnumerateInRankOrder().GetEnumerator();
        using var b = live.EnumerateInRankOrder().GetEnumerator();
        long rank = 0;
        while (true)
        {
            var hasA = a.MoveNext();
            var hasB = b.MoveNext();
            if (!hasA && !hasB) break;
            rank++;
            if (hasA && hasB && a.Current.PlayerId == b.Current.PlayerId && a.Current.Score == b.Current.Score
                && a.Current.TiePosition == b.Current.TiePosition) continue;
            mismatches++;
            first ??= rank;
        }
        var checksum = rebuilt.ComputeContentChecksum();
        // The checksum covers the same fields; checking both guards the comparison itself.
        var consistent = mismatches == 0 && checksum == live.ComputeContentChecksum();
        return new BoardComparison(consistent, rebuilt.Count, checksum, mismatches, first);
    }

    /// <summary>The checksum as the API shows it: 16 lower-case hex digits of the engine's XxHash64.</summary>
    public string ChecksumText => Checksum.ToString("x16");
}
