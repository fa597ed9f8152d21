using EventLeaderboard.Server.Configuration;
namespace EventLeaderboard.Server.Subscriptions;

/// <summary>Names of the consumers the service runs itself.</summary>
public static class ConsumerNames
{
    /// <summary>This node's name (<c>Node:Name</c>, else the machine name), reduced to [A-Za-z0-9_.:-].</summary>
    public static string Node(IConfiguration configuration)
    {
        var name = NodeName.Of(configuration);
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-' ? c : '-').Take(48).ToArray();
        return new string(chars);
    }
}
