using EventLeaderboard.Server.Snapshots;

namespace EventLeaderboard.Server.Tests.Snapshots;

/// <summary>A failing periodic snapshot is retried less and less often, not every second.</summary>
public sealed class SnapshotBackoffTests
{
    static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void after_a_failure_the_next_attempt_waits_and_each_further_failure_doubles_the_wait()
    {
        var backoff = new SnapshotBackoff();
        Assert.True(backoff.Allows(T0));

        backoff.Failed(T0);
        Assert.False(backoff.Allows(T0 + TimeSpan.FromSeconds(1)));
        Assert.True(backoff.Allows(T0 + SnapshotBackoff.First));

        var now = T0 + SnapshotBackoff.First;
        backoff.Failed(now);
        Assert.Equal(SnapshotBackoff.First * 2, backoff.Wait);
        Assert.False(backoff.Allows(now + SnapshotBackoff.First));
        Assert.True(backoff.Allows(now + SnapshotBackoff.First * 2));
    }

    [Fact]
    public void the_wait_stops_growing_at_the_longest_and_never_overflows()
    {
        var backoff = new SnapshotBackoff();
        for (var i = 0; i < 100; i++) backoff.Failed(T0);
        Assert.Equal(SnapshotBackoff.Longest, backoff.Wait);
        Assert.False(backoff.Allows(T0 + SnapshotBackoff.Longest - TimeSpan.FromSeconds(1)));
        Assert.True(backoff.Allows(T0 + SnapshotBackoff.Longest));
    }

    [Fact]
    public void a_success_resets_the_wait()
    {
        var backoff = new SnapshotBackoff();
        backoff.Failed(T0);
        backoff.Failed(T0);
        backoff.Succeeded();
        Assert.True(backoff.Allows(T0));
        Assert.Equal(0, backoff.Failures);
        backoff.Failed(T0);
        Assert.Equal(SnapshotBackoff.First, backoff.Wait);
    }
}
