using EventLeaderboard.Ranking;

namespace EventLeaderboard.Server.Projection;

/// <summary>A board's settings as the log defines them (immutable; replaced whole on update).</summary>
public sealed record BoardConfig(
    string BoardId, SortOrder SortOrder, UpdatePolicy UpdatePolicy,
    long? MinScore, long? MaxScore, int TopN, string? DisplayName)
{
    public const int DefaultTopN = 100;

    /// <summary>Whether a submitted value (for increment boards, the amount added) is within the inclusive bounds.</summary>
    public bool Accepts(long value) => (MinScore is not { } min || value >= min) && (MaxScore is not { } max || value <= max);
}

/// <summary>The API's names for the engine's enums (also the names stored in board events).</summary>
public static class BoardNames
{
    public static string Of(SortOrder order) => order == SortOrder.Ascending ? "ascending" : "descending";

    public static string Of(UpdatePolicy policy) => policy switch
    {
        UpdatePolicy.Latest => "latest",
        UpdatePolicy.Increment => "increment",
        _ => "best",
    };

    public static bool TryParseSortOrder(string? text, out SortOrder order)
    {
        order = text switch { "descending" => SortOrder.Descending, "ascending" => SortOrder.Ascending, _ => (SortOrder)255 };
        return (byte)order != 255;
    }

    public static bool TryParseUpdatePolicy(string? text, out UpdatePolicy policy)
    {
        policy = text switch { "best" => UpdatePolicy.Best, "latest" => UpdatePolicy.Latest, "increment" => UpdatePolicy.Increment, _ => (UpdatePolicy)255 };
        return (byte)policy != 255;
    }
}
