using System.Text;

namespace EventLeaderboard.Ranking.Tests;

public class FrozenBoards
{
    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    [InlineData(5_000)]
    public async Task a_frozen_board_writes_the_snapshot_of_its_moment_while_the_live_board_keeps_changing(int players)
    {
        // Small boards on purpose: the writes below grow the id index (a rehash that renumbers entries),
        // move the arena's first page (it doubles), split and merge leaves, and replace metadata.
        var board = SnapshotRoundTrips.RandomBoard(players, SortOrder.Descending, seed: players + 1, scoreDomain: 1_000);
        FrozenRanking frozen = board.Freeze();
        byte[] atFreeze = SnapshotRoundTrips.Snapshot(board);
        int countAtFreeze = board.Count;

        var random = new Random(players);
        var writes = Task.Run(() =>
        {
            for (int i = 0; i < 30_000; i++)
            {
                string id = i % 3 == 0 && board.Count > 0 ? board.GetTop(random.Next(board.Count), 1)[0].PlayerId : $"late:{i}";
                if (i % 7 == 0) board.Remove(id, out _);
                else board.Apply(id, random.Next(-1_000, 1_000), 1_000_000 + i, Encoding.UTF8.GetBytes($"{{\"i\":{i}}}"));
            }
        });
        var whileWriting = await Task.Run(() =>
        {
            var stream = new MemoryStream();
            frozen.WriteSnapshot(stream);
            return stream.ToArray();
        });
        await writes;

        var afterWrites = new MemoryStream();
        frozen.WriteSnapshot(afterWrites);
        Assert.Equal(atFreeze, whileWriting);
        Assert.Equal(atFreeze, afterWrites.ToArray());
        Assert.Equal(countAtFreeze, frozen.Count);
        frozen.ValidateInvariants();
        board.ValidateInvariants();
        Assert.NotEqual(atFreeze, SnapshotRoundTrips.Snapshot(board));
    }
}
