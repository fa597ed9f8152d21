using EventLeaderboard.Ranking;

namespace EventLeaderboard.Ranking.Tests;

/// <summary>
/// The board's hand-written reader-writer lock, on its own: readers never see a write half done,
/// a writer is never inside together with a reader, and a writer waiting for readers is not
/// starved by readers that keep arriving.
/// </summary>
public sealed class BoardLockTests
{
    [Fact]
    public async Task readers_never_overlap_a_writer_and_never_see_a_half_done_write()
    {
        var gate = new BoardLock();
        long first = 0, second = 0;   // the writer keeps them equal; only a torn read sees them differ
        int inside = 0;               // readers inside, or -1 while the writer is
        int tornReads = 0, overlaps = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                gate.EnterRead();
                if (Interlocked.Increment(ref inside) <= 0) Interlocked.Increment(ref overlaps);
                if (Volatile.Read(ref first) != Volatile.Read(ref second)) Interlocked.Increment(ref tornReads);
                Interlocked.Decrement(ref inside);
                gate.ExitRead();
            }
        })).ToArray();
        long writes = 0;
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                gate.EnterWrite();
                if (Interlocked.CompareExchange(ref inside, -1, 0) != 0) Interlocked.Increment(ref overlaps);
                Volatile.Write(ref first, first + 1);
                Thread.SpinWait(20);
                Volatile.Write(ref second, second + 1);
                Interlocked.CompareExchange(ref inside, 0, -1);
                gate.ExitWrite();
                writes++;
            }
        });
        await Task.WhenAll([.. readers, writer]);

        Assert.Equal(0, overlaps);
        Assert.Equal(0, tornReads);
        Assert.True(writes > 0, "three readers that keep arriving starved the writer");
    }
}
