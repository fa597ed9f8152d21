using System.Net.Http.Json;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using OpenQA.Selenium;

namespace EventLeaderboard.Server.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser against a real server process: headless Chromium loads
/// <c>/</c>, the user enters a key and picks a board, scores submitted through the API appear
/// in the page's top N without a reload (the SSE stream), and the player search shows the
/// players around someone.
/// </summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task the_page_shows_a_boards_top_live_as_scores_arrive_and_finds_the_players_around_someone()
    {
        await using var server = await ServerProcess.StartAsync(await TestDatabase.CreateDatabaseAsync(), ServerProcess.FreePort());
        using var api = server.CreateClient();
        var boardId = Api.NewBoardId();
        (await api.PutAsJsonAsync($"/v1/leaderboards/{boardId}", new { sortOrder = "descending", updatePolicy = "best", displayName = "Season 1" })).EnsureSuccessStatusCode();
        await SubmitAsync(api, boardId, "alice", 300);
        await SubmitAsync(api, boardId, "bob", 200);

        using var chromium = new HeadlessChromium();
        var page = chromium.Driver;
        page.Navigate().GoToUrl(new Uri(server.BaseAddress, "/"));
        Assert.Equal("EventLeaderboard", page.Title);

        page.FindElement(By.Id("api-key")).SendKeys(ServerProcess.Key);
        page.FindElement(By.CssSelector("#key-form button")).Click();
        var boardButton = By.CssSelector($"#boards button[data-board='{boardId}']");
        await chromium.WaitUntilAsync(d => d.FindElements(boardButton).Count == 1, "the board in the list");
        page.FindElement(boardButton).Click();

        await chromium.WaitUntilAsync(d => TopPlayers(d).SequenceEqual(["alice", "bob"]), "the top two");
        await chromium.WaitUntilAsync(d => d.FindElement(By.Id("live-state")).Text == "live", "the live stream");

        // Through the API, not the page: the page must learn of it from the stream.
        await SubmitAsync(api, boardId, "carol", 500);
        await SubmitAsync(api, boardId, "bob", 400);
        await chromium.WaitUntilAsync(d => TopPlayers(d).SequenceEqual(["carol", "bob", "alice"]), "carol first and bob above alice");
        Assert.Equal("3", page.FindElement(By.Id("board-total")).Text);
        Assert.Equal("live", page.FindElement(By.Id("live-state")).Text);

        for (var i = 0; i < 30; i++) await SubmitAsync(api, boardId, $"p{i:D2}", 100 + i);
        await chromium.WaitUntilAsync(d => d.FindElement(By.Id("board-total")).Text == "33", "33 players");

        page.FindElement(By.Id("player-id")).SendKeys("p10");
        page.FindElement(By.CssSelector("#search-form button")).Click();
        await chromium.WaitUntilAsync(d => d.FindElement(By.Id("around")).Displayed, "the players around p10");
        var around = page.FindElements(By.CssSelector("#around tbody tr"));
        // p10 (110) ranks 3 + (29 - 10) + 1 = 23rd; five above and five below.
        Assert.Equal(11, around.Count);
        var me = page.FindElement(By.CssSelector("#around tbody tr.me"));
        Assert.Equal(["23", "p10", "110"], me.FindElements(By.TagName("td")).Select(c => c.Text).ToArray());
    }

    static string[] TopPlayers(IWebDriver page) =>
        page.FindElements(By.CssSelector("#top tbody tr")).Select(r => r.GetDomAttribute("data-player") ?? "").ToArray();

    static async Task SubmitAsync(HttpClient api, string boardId, string playerId, long score) =>
        (await api.PostAsJsonAsync($"/v1/leaderboards/{boardId}/scores", new { playerId, score })).EnsureSuccessStatusCode();
}
