using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>One node with a fast heartbeat and a tiny per-client buffer, to see both happen.</summary>
public sealed class StreamAppFixture : IAsyncLifetime
{
    public LeaderboardApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await SubscriptionNode.Create(await TestDatabase.CreateDatabaseAsync(), new Dictionary<string, string?>
    {
        ["Subscriptions:HeartbeatSeconds"] = "0.2",
        ["Subscriptions:StreamBufferSize"] = "50",
    }).StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

public sealed class StreamTests(StreamAppFixture fixture) : IClassFixture<StreamAppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));

    [Fact]
    public async Task a_stream_delivers_the_boards_messages_live_as_server_sent_events()
    {
        var board = await _admin.CreateBoardAsync();
        var other = await _admin.CreateBoardAsync();
        await using var stream = await SseClient.OpenAsync(fixture.App.ClientWith(LeaderboardApp.ReadKey), board);

        await _admin.SubmitOkAsync(other, "elsewhere", 1);
        await _admin.SubmitOkAsync(board, "alice", 5);

        var events = await stream.ReadEventsAsync(4); // submitted, changed, enteredTop, newLeader
        Assert.Equal(["score.submitted", "rank.changed", "rank.enteredTop", "rank.newLeader"], events.Select(e => e.Event));
        Assert.All(events, e => Assert.Equal(board, e.Message.BoardId));
        Assert.All(events, e => Assert.Equal(e.Id, e.Message.Id));
        Assert.Equal("alice", events[0].Message.Player);
    }

    [Fact]
    public async Task a_reconnect_with_last_event_id_resumes_right_after_it()
    {
        var board = await _admin.CreateBoardAsync();
        List<SseEvent> before;
        await using (var first = await SseClient.OpenAsync(fixture.App.ClientWith(LeaderboardApp.ReadKey), board))
        {
            await _admin.SubmitOkAsync(board, "a", 1);
            before = await first.ReadEventsAsync(4);
        }
        await _admin.SubmitOkAsync(board, "b", 2); // missed while disconnected
        var resumeAfter = before[1]; // rank.changed of a: resume in the middle of an event's messages

        await using var second = await SseClient.OpenAsync(fixture.App.ClientWith(LeaderboardApp.ReadKey), board, resumeAfter.Id);
        var resumed = await second.ReadEventsAsync(2 + 4);

        Assert.Equal(before.Skip(2).Select(e => e.Id), resumed.Take(2).Select(e => e.Id));
        Assert.Equal(["b", "b", "b", "b"], resumed.Skip(2).Select(e => e.Message.Player));
    }

    [Fact]
    public async Task an_idle_stream_gets_heartbeats()
    {
        var board = await _admin.CreateBoardAsync();
        await using var stream = await SseClient.OpenAsync(fixture.App.ClientWith(LeaderboardApp.ReadKey), board);

        var comments = await stream.ReadCommentsAsync(2);

        Assert.All(comments, c => Assert.Equal(": heartbeat", c));
    }

    [Fact]
    public async Task a_client_that_stops_reading_is_dropped_instead_of_buffered()
    {
        var board = await _admin.CreateBoardAsync();
        await using var stream = await SseClient.OpenAsync(fixture.App.ClientWith(LeaderboardApp.ReadKey), board);

        // Never read: 50 messages of buffer, far more produced (each score derives 2 or more).
        for (var batch = 0; batch < 10; batch++)
        {
            var scores = Enumerable.Range(0, 500).Select(i => new { playerId = $"p{batch}-{i}", score = batch * 1000 + i }).ToArray();
            (await _admin.BatchAsync(board, new { scores })).AssertStatus(HttpStatusCode.OK);
        }

        Assert.True(await stream.EndsWithinAsync(TimeSpan.FromSeconds(20)), "The server should close a stream whose client stopped reading.");
    }

    [Fact]
    public async Task a_stream_of_an_unknown_board_is_a_404_problem()
    {
        var reply = await _admin.GetAsync("/v1/leaderboards/no-such-board/stream");

        reply.AssertProblem(HttpStatusCode.NotFound);
    }
}

public sealed record SseEvent(string Id, string Event, Message Message);

/// <summary>A minimal text/event-stream reader over a real HTTP response.</summary>
public sealed class SseClient : IAsyncDisposable
{
    readonly HttpClient _client;
    readonly HttpResponseMessage _response;
    readonly StreamReader _reader;
    readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    SseClient(HttpClient client, HttpResponseMessage response, Stream stream)
    {
        _client = client;
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    public static async Task<SseClient> OpenAsync(HttpClient client, string boardId, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/leaderboards/{boardId}/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var sse = new SseClient(client, response, await response.Content.ReadAsStreamAsync());
        Assert.StartsWith(": stream of", await sse._reader.ReadLineAsync(sse._timeout.Token)); // the opening comment
        return sse;
    }

    public async Task<List<SseEvent>> ReadEventsAsync(int count)
    {
        var events = new List<SseEvent>();
        string? id = null, name = null, data = null;
        while (events.Count < count)
        {
            var line = await _reader.ReadLineAsync(_timeout.Token) ?? throw new EndOfStreamException();
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.Length == 0 && data is not null)
            {
                events.Add(new SseEvent(id!, name!, Message.From(System.Text.Json.JsonDocument.Parse(data).RootElement)));
                id = name = data = null;
            }
        }
        return events;
    }

    public async Task<List<string>> ReadCommentsAsync(int count)
    {
        var comments = new List<string>();
        while (comments.Count < count)
        {
            var line = await _reader.ReadLineAsync(_timeout.Token) ?? throw new EndOfStreamException();
            if (line.StartsWith(':')) comments.Add(line);
        }
        return comments;
    }

    /// <summary>True when the server ends the response (reading what is left) within the time.</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan time)
    {
        await Task.Delay(TimeSpan.FromSeconds(1)); // let the server fill the buffer while nobody reads
        using var limit = new CancellationTokenSource(time);
        try
        {
            while (await _reader.ReadLineAsync(limit.Token) is not null) { }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        _client.Dispose();
        _timeout.Dispose();
        return ValueTask.CompletedTask;
    }
}
