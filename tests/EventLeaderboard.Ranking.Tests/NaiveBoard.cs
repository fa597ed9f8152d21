using System.Text;

namespace EventLeaderboard.Ranking.Tests;

/// <summary>
/// The reference model: a plain list kept sorted by the ordering rule, written for obviousness, not speed.
/// The engine must agree with it after every operation.
/// </summary>
internal sealed class NaiveBoard(SortOrder order, UpdatePolicy policy)
{
    public sealed record Row(string Id, long Score, long Tie, byte[] Metadata);

    private readonly List<Row> _rows = [];

    public int Count => _rows.Count;

    public IReadOnlyList<Row> Rows => _rows;

    public int IndexOf(string id) => _rows.FindIndex(r => r.Id == id);

    /// <summary>Returns (score, rank, previousRank, previousScore, changed, created) or throws ScoreOverflowException.</summary>
    public ApplyResult Apply(string id, long value, long tie, byte[] metadata)
    {
        int i = IndexOf(id);
        if (i < 0)
        {
            Insert(new Row(id, value, tie, metadata));
            return new ApplyResult(value, IndexOf(id) + 1, null, null, true, true);
        }
        Row row = _rows[i];
        long next = policy switch
        {
            UpdatePolicy.Best => order == SortOrder.Descending ? Math.Max(row.Score, value) : Math.Min(row.Score, value),
            UpdatePolicy.Latest => value,
            _ => Add(id, row.Score, value),
        };
        if (next == row.Score) return new ApplyResult(row.Score, i + 1, i + 1, row.Score, false, false);
        _rows.RemoveAt(i);
        Insert(new Row(id, next, tie, metadata.Length > 0 ? metadata : row.Metadata));
        return new ApplyResult(next, IndexOf(id) + 1, i + 1, row.Score, true, false);
    }

    public long? Remove(string id)
    {
        int i = IndexOf(id);
        if (i < 0) return null;
        _rows.RemoveAt(i);
        return i + 1;
    }

    public int Compare(Row a, Row b)
    {
        int c = a.Score.CompareTo(b.Score);
        if (order == SortOrder.Descending) c = -c;
        if (c != 0) return c;
        c = a.Tie.CompareTo(b.Tie);
        if (c != 0) return c;
        return Encoding.UTF8.GetBytes(a.Id).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b.Id));
    }

    private void Insert(Row row)
    {
        int at = 0;
        while (at < _rows.Count && Compare(_rows[at], row) < 0) at++;
        _rows.Insert(at, row);
    }

    private static long Add(string id, long current, long increment)
    {
        try
        {
            return checked(current + increment);
        }
        catch (OverflowException)
        {
            throw new ScoreOverflowException(id, current, increment);
        }
    }
}
