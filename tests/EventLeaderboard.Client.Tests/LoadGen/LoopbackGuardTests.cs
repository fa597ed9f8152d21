using EventLeaderboard.LoadGen;

namespace EventLeaderboard.Client.Tests.LoadGen;

public sealed class LoopbackGuardTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080/", true)]
    [InlineData("http://127.3.4.5:5080/", true)]
    [InlineData("http://localhost:5080/", true)]
    [InlineData("http://[::1]:5080/", true)]
    [InlineData("http://10.0.0.1:5080/", false)]
    [InlineData("http://leaderboard.example.com/", false)]
    public void only_loopback_targets_are_allowed_without_opting_in(string url, bool allowed) =>
        Assert.Equal(allowed, LoadTarget.IsLoopback(new Uri(url)));
}
