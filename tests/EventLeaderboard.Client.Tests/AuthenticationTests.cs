namespace EventLeaderboard.Client.Tests;

public sealed class AuthenticationTests
{
    private const string EmptyBoards = """{"items":[]}""";

    [Fact]
    public async Task the_api_key_is_sent_as_a_bearer_token()
    {
        await using var server = await FakeServer.AnswerAsync(200, EmptyBoards);
        using var client = server.CreateClient(apiKey: "dev-admin-key");

        await client.ListBoardsAsync();

        Assert.Equal("Bearer dev-admin-key", server.Requests.Single().Authorization);
    }

    [Fact]
    public async Task without_a_key_no_authorization_header_is_sent()
    {
        await using var server = await FakeServer.AnswerAsync(200, EmptyBoards);
        using var client = server.CreateClient(apiKey: null);

        await client.ListBoardsAsync();

        Assert.Null(server.Requests.Single().Authorization);
    }
}
