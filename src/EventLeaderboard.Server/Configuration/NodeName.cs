namespace EventLeaderboard.Server.Configuration;

/// <summary>
/// This node's name: <c>Node:Name</c>, else the machine name. It names the node's lane stream,
/// its snapshots, its consumers and its metrics, so every part must read it the same way.
/// </summary>
public static class NodeName
{
    public static string Of(IConfiguration configuration) =>
        configuration["Node:Name"] is { Length: > 0 } name ? name : Environment.MachineName;
}
