using JasperFx.CommandLine;

namespace EventLeaderboard.Server.Commands;

/// <summary>Arguments of the board commands; the host's configuration (database, schema) comes with <see cref="NetCoreInput"/>.</summary>
public class BoardInput : NetCoreInput
{
    [Description("The board id")]
    public string Board { get; set; } = "";

    [Description("Also store the result as a snapshot (rebuild)")]
    public bool SnapshotFlag { get; set; }
}
