using EventLeaderboard.Server.Projection;

namespace EventLeaderboard.Server.Tests.Snapshots;

/// <summary>
/// A snapshot copies each board's idempotency window while the follower is paused and lists the
/// entries after it resumed: the list must be the window as it was, not as it has become.
/// </summary>
public sealed class FrozenWindowTests
{
    static SubmissionOutcome Outcome(int n) => new($"p{n}", n * 10, n, null, true, n * 1024);

    [Fact]
    public void a_frozen_window_lists_its_moment_oldest_first_after_the_live_one_moved_on()
    {
        var window = new IdempotencyWindow(capacity: 3);
        for (var n = 1; n <= 3; n++) window.TryRemember($"s{n}", Outcome(n));

        var frozen = window.Freeze();
        window.TryRemember("s4", Outcome(4)); // forgets s1
        window.TryRemember("s5", Outcome(5)); // forgets s2

        Assert.Equal([("s1", Outcome(1)), ("s2", Outcome(2)), ("s3", Outcome(3))], frozen.Entries());
        Assert.Equal([("s3", Outcome(3)), ("s4", Outcome(4)), ("s5", Outcome(5))], window.Entries());
    }
}
