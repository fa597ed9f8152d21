using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace EventLeaderboard.Server.Schema;

/// <summary>One file of <c>migrations/</c>: its name (<c>0001_event_store.sql</c>), text and SHA-256.</summary>
public sealed record MigrationScript(string Name, string Sql)
{
    /// <summary>Of the text with LF line endings, so a checkout with CRLF endings hashes the same.</summary>
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>
/// The repository's <c>migrations/*.sql</c>, embedded in the server at build time (so a node
/// knows exactly which schema it expects), in file-name order: numbered names apply in order.
/// </summary>
public static class MigrationScripts
{
    const string Prefix = "migrations/";

    /// <summary>The schema the scripts are written for; a node configured with another one cannot use them.</summary>
    public const string Schema = "leaderboard";

    public static IReadOnlyList<MigrationScript> All { get; } = Load();

    static List<MigrationScript> Load()
    {
        var assembly = typeof(MigrationScripts).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new MigrationScript(n[Prefix.Length..], Read(assembly, n)))
            .ToList();
    }

    static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
