using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EventLeaderboard.Server.Tests.ProjectionRecovery;

/// <summary>
/// While the log cannot be read, work queued between events (a snapshot's capture, a verify) still
/// runs: a node stopping without its PostgreSQL must not wait for the host's timeout.
/// </summary>
public sealed class UnreadableLogTests
{
    [Fact]
    public async Task work_between_events_runs_while_every_read_of_the_log_fails()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var node = await new LeaderboardApp(database).StartAsync();
        var api = new Api(node.ClientWith(LeaderboardApp.AdminKey));
        var boardId = await api.CreateBoardAsync();
        await api.SubmitOkAsync(boardId, "p1", 10);
        var follower = node.Services.GetRequiredService<LogFollower>();
        var before = await follower.RunBetweenEventsAsync(seqId => seqId);

        // The follower's page query names mt_events: with the table renamed, every read fails.
        await TestDatabase.ExecuteAsync(database, "ALTER TABLE leaderboard.mt_events RENAME TO mt_events_away");
        try
        {
            var during = await follower.RunBetweenEventsAsync(seqId => seqId).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(before, during);
        }
        finally
        {
            await TestDatabase.ExecuteAsync(database, "ALTER TABLE leaderboard.mt_events_away RENAME TO mt_events");
        }
    }
}
