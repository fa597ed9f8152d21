using EventLeaderboard.LoadGen.Cli;

namespace EventLeaderboard.Client.Tests.LoadGen;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("45", 45_000)]
    [InlineData("00:00:30", 30_000)]
    public void accepted_forms_give_the_same_duration(string text, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), DurationParser.Parse(text));

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("")]
    public void anything_else_is_rejected(string text) => Assert.Null(DurationParser.Parse(text));
}
