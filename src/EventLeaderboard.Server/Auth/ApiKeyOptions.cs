namespace EventLeaderboard.Server.Auth;

/// <summary>Section <c>Auth</c>: who may call the API.</summary>
public sealed class AuthOptions
{
    /// <summary>Keys, so that <c>Auth__ApiKeys__0__Key</c> style environment variables work.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>
    /// Keys honoured only when the environment is Development (documented local keys such as
    /// <c>dev-admin-key</c>), so a production node never accepts them.
    /// </summary>
    public List<ApiKeyEntry> DevelopmentApiKeys { get; set; } = [];

    /// <summary>Lets clients without a key use the read endpoints.</summary>
    public bool AnonymousRead { get; set; }
}

/// <summary>One API key: its plain <see cref="Key"/> or the hex SHA-256 of it (<see cref="KeySha256"/>).</summary>
public sealed class ApiKeyEntry
{
    /// <summary>Recorded as the submitter of what the key sends.</summary>
    public string Name { get; set; } = "";

    public string? Key { get; set; }

    public string? KeySha256 { get; set; }

    /// <summary><c>read</c>, <c>ingest</c>, <c>admin</c> (admin implies the others).</summary>
    public List<string> Roles { get; set; } = [];
}

/// <summary>Role names and the authorization policies built on them.</summary>
public static class Roles
{
    public const string Read = "read";
    public const string Ingest = "ingest";
    public const string Admin = "admin";
}
