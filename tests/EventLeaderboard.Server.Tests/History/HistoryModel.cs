using System.Net;
using EventLeaderboard.Server.Tests.Support;
using Npgsql;

namespace EventLeaderboard.Server.Tests.History;

/// <summary>
/// What a player's history must be, computed straight from the log: every score item of the board
/// in mt_events, in position order, with the running best (descending <c>best</c> board, no
/// removals, no submission ids). Compared with what the API answers for every player.
/// </summary>
internal static class HistoryModel
{
    public readonly record struct Row(long Sequence, long Score, long ResultingScore);

    public static async Task<Dictionary<string, List<Row>>> FromLogAsync(string connectionString, string boardId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT e.seq_id * 1024 + (i.ord - 1), i.item ->> 'p', (i.item ->> 'v')::bigint
            FROM leaderboard.mt_events e, jsonb_array_elements(e.data -> 'items') WITH ORDINALITY AS i(item, ord)
            WHERE e.type = 'scores_submitted' AND i.item ->> 'b' = @b
            ORDER BY 1
            """, connection);
        cmd.Parameters.AddWithValue("b", boardId);
        var expected = new Dictionary<string, List<Row>>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var player = reader.GetString(1);
            var score = reader.GetInt64(2);
            if (!expected.TryGetValue(player, out var rows)) expected[player] = rows = [];
            var best = rows.Count == 0 ? score : Math.Max(rows[^1].ResultingScore, score);
            rows.Add(new Row(reader.GetInt64(0), score, best));
        }
        return expected;
    }

    /// <summary>Every page of the player's history as the API answers it, reflecting at least <paramref name="minSequence"/>.</summary>
    public static async Task<List<Row>> FromApiAsync(Api api, string boardId, string playerId, long minSequence)
    {
        var rows = new List<Row>();
        long after = 0;
        while (true)
        {
            var reply = await api.GetAsync(
                $"/v1/leaderboards/{boardId}/players/{playerId}/history?limit=1000&afterSequence={after}&minSequence={minSequence}&waitMs=30000");
            reply.AssertStatus(HttpStatusCode.OK);
            foreach (var e in reply.Json.GetProperty("events").EnumerateArray())
                rows.Add(new Row(e.GetProperty("sequence").GetInt64(), e.GetProperty("score").GetInt64(), e.GetProperty("resultingScore").GetInt64()));
            if (reply.NullableLong("nextAfterSequence") is not { } next) return rows;
            after = next;
        }
    }

    /// <summary>Asserts that the API's history of every player on the board is exactly the log's.</summary>
    public static async Task AssertCompleteAsync(string connectionString, Api api, string boardId, long minSequence)
    {
        var expected = await FromLogAsync(connectionString, boardId);
        Assert.NotEmpty(expected);
        foreach (var (player, rows) in expected)
            Assert.Equal(rows, await FromApiAsync(api, boardId, player, minSequence));
    }
}
