using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Npgsql;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>
/// The derived notifications against a model that replays the same operations with a plain sorted
/// list and derives the notifications from their definitions (compare whole rankings before and
/// after each event), not from the server's shortcut (only the moved player and rank N / N+1 / 1 / 2).
/// </summary>
public sealed class NotificationModelTests
{
    const int TopN = 3;

    [Theory]
    [InlineData("latest", 7)]
    [InlineData("increment", 11)]
    public async Task notifications_match_a_model_and_are_identical_after_a_replay_on_another_node(string policy, int seed)
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var nodeA = await SubscriptionNode.Create(database, nodeName: "model-a").StartAsync();
        var api = new Api(nodeA.ClientWith(LeaderboardApp.AdminKey));
        var boardId = await api.CreateBoardAsync("descending", policy, new { topN = TopN });
        var group = await new GroupApi(api).CreateAsync(new { boards = new[] { boardId }, startAt = "beginning" });

        var model = new RankingModel();
        var expected = new List<string>();
        var random = new Random(seed);
        for (var step = 0; step < 120; step++)
        {
            var player = $"p{random.Next(8)}";
            if (random.Next(10) == 0 && model.Contains(player))
            {
                var removed = await api.DeleteAsync($"/v1/leaderboards/{boardId}/players/{player}");
                removed.AssertStatus(HttpStatusCode.OK);
                expected.AddRange(model.Remove(player, removed.Long("sequence")));
            }
            else
            {
                var value = random.Next(-3, 12);
                var answer = await api.SubmitOkAsync(boardId, player, value);
                expected.AddRange(model.Submit(player, value, policy, answer.GetProperty("sequence").GetInt64()));
            }
        }

        var actual = await new GroupApi(api).ReadAtLeastAsync(group, "model", expected.Count + 1);
        var notifications = actual.Where(m => m.Kind != "board.defined").ToList();
        Assert.Equal(Canonical(expected), Canonical(notifications.Select(Describe)));

        // Replay: forget the durable messages, let a fresh node derive them again from the log.
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var wipe = new NpgsqlCommand(
                "TRUNCATE leaderboard.sub_messages; UPDATE leaderboard.sub_watermark SET written_up_to = 0;", connection);
            await wipe.ExecuteNonQueryAsync();
        }
        await using var nodeB = await SubscriptionNode.Create(database, nodeName: "model-b").StartAsync();
        var apiB = new Api(nodeB.ClientWith(LeaderboardApp.AdminKey));
        (await apiB.PostAsync($"/v1/subscriptions/{group}/reset", new { startAt = "beginning" })).AssertStatus(HttpStatusCode.OK);
        var replayed = await new GroupApi(apiB).ReadAtLeastAsync(group, "replay", actual.Count);

        Assert.Equal(actual.Select(m => (m.Id, m.Sequence, m.Kind, m.Data.GetRawText())), replayed.Select(m => (m.Id, m.Sequence, m.Kind, m.Data.GetRawText())));
    }

    /// <summary>Order within one causing event is the server's choice; order across events is the log's.</summary>
    static string[] Canonical(IEnumerable<string> lines) =>
        lines.Select((line, i) => (line, seq: long.Parse(line.Split(' ')[0]), i)).OrderBy(x => x.seq).ThenBy(x => x.line, StringComparer.Ordinal)
            .Select(x => x.line).ToArray();

    static string Describe(Message m) => $"{m.Sequence} {m.Summary}" + (m.Kind is "rank.enteredTop" or "rank.leftTop" ? $" top={m.Long("topN")}" : "");

    /// <summary>A board as a plain list sorted on every read: (score desc, position of the last change asc).</summary>
    sealed class RankingModel
    {
        readonly Dictionary<string, (long Score, long Position)> _entries = [];

        public bool Contains(string player) => _entries.ContainsKey(player);

        Dictionary<string, long> Ranks() => _entries.OrderByDescending(e => e.Value.Score).ThenBy(e => e.Value.Position)
            .Select((e, i) => (e.Key, Rank: i + 1L)).ToDictionary(x => x.Key, x => x.Rank);

        public List<string> Submit(string player, long value, string policy, long sequence)
        {
            var before = Ranks();
            var exists = _entries.TryGetValue(player, out var current);
            var next = !exists ? value : policy == "increment" ? current.Score + value : value;
            if (!exists || next != current.Score) _entries[player] = (next, sequence);
            var after = Ranks();
            var lines = new List<string>
            {
                $"{sequence} score.submitted {player} score={next} rank={after[player]} prev={Text(before, player)}",
            };
            if (Text(before, player) != after[player].ToString())
                lines.Add($"{sequence} rank.changed {player} rank={after[player]} prev={Text(before, player)}");
            lines.AddRange(Derived(before, after, sequence));
            return lines;
        }

        public List<string> Remove(string player, long sequence)
        {
            var before = Ranks();
            _entries.Remove(player);
            var after = Ranks();
            var lines = new List<string> { $"{sequence} player.removed {player} rank=null prev={before[player]}" };
            lines.AddRange(Derived(before, after, sequence));
            return lines;
        }

        /// <summary>Top-N entries and exits and leader changes, straight from their definitions.</summary>
        static IEnumerable<string> Derived(Dictionary<string, long> before, Dictionary<string, long> after, long sequence)
        {
            foreach (var player in before.Keys.Union(after.Keys))
            {
                var was = before.TryGetValue(player, out var b) && b <= TopN;
                var isIn = after.TryGetValue(player, out var a) && a <= TopN;
                if (isIn && !was) yield return $"{sequence} rank.enteredTop {player} rank={a} prev={Text(before, player)} top={TopN}";
                if (was && !isIn) yield return $"{sequence} rank.leftTop {player} rank={Text(after, player)} prev={b} top={TopN}";
            }
            var oldLeader = before.FirstOrDefault(e => e.Value == 1).Key;
            var newLeader = after.FirstOrDefault(e => e.Value == 1).Key;
            if (newLeader is not null && newLeader != oldLeader) yield return $"{sequence} rank.newLeader {newLeader} prev={oldLeader ?? "null"}";
        }

        static string Text(Dictionary<string, long> ranks, string player) => ranks.TryGetValue(player, out var r) ? r.ToString() : "null";
    }
}
