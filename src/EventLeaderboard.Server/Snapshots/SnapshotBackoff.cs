namespace EventLeaderboard.Server.Snapshots;

/// <summary>
/// When the periodic snapshot may run again after failures. Each attempt pauses the log follower
/// while the boards are copied (~0.3 s at 10M players), so a store that keeps failing
/// (full disk, lost permissions) must not cost that pause every second: the wait doubles from
/// <see cref="First"/> after each failure up to <see cref="Longest"/>, and a success resets it.
/// Time is passed in, so the schedule is tested without waiting.
/// </summary>
public sealed class SnapshotBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Longest = TimeSpan.FromMinutes(5);

    DateTime _notBefore = DateTime.MinValue;
    int _failures;

    /// <summary>Consecutive failures since the last success.</summary>
    public int Failures => _failures;

    /// <summary>How long the last failure made the next attempt wait (zero after a success).</summary>
    public TimeSpan Wait { get; private set; }

    public bool Allows(DateTime now) => now >= _notBefore;

    public void Failed(DateTime now)
    {
        _failures++;
        // 2^(failures-1) * First, without overflowing once failures is large.
        Wait = _failures >= 16 ? Longest : TimeSpan.FromTicks(Math.Min(Longest.Ticks, First.Ticks << (_failures - 1)));
        _notBefore = now + Wait;
    }

    public void Succeeded()
    {
        _failures = 0;
        Wait = TimeSpan.Zero;
        _notBefore = DateTime.MinValue;
    }
}
