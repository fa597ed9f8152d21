using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using EventLeaderboard.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c> against the
/// configured keys. The presented key is hashed with SHA-256 and compared with every configured
/// hash in constant time, so neither timing nor early exit tells how close a guess was.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyRegistry registry) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey(Request);
        if (key is null) return Task.FromResult(AuthenticateResult.NoResult());
        return Task.FromResult(registry.Find(key) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.Fail("Unknown API key."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            "Send a valid API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status403Forbidden, "Forbidden", "The API key does not have the role this endpoint needs.");

    static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization[7..].Trim();
        var header = request.Headers["X-Api-Key"].ToString();
        return header.Length > 0 ? header : null;
    }
}

/// <summary>The configured keys as SHA-256 hashes with ready-made principals.</summary>
public sealed class ApiKeyRegistry
{
    readonly (byte[] Hash, ClaimsPrincipal Principal)[] _keys;

    public ApiKeyRegistry(IOptions<AuthOptions> options, IHostEnvironment environment)
    {
        var entries = environment.IsDevelopment() ? options.Value.ApiKeys.Concat(options.Value.DevelopmentApiKeys) : options.Value.ApiKeys;
        _keys = entries.Select(k => (HashOf(k), PrincipalOf(k))).ToArray();
    }

    public int Count => _keys.Length;

    /// <summary>
    /// Keys already verified, so a client that sends its key with every request is hashed once.
    /// Only keys that matched are added, so it holds at most one entry per configured key. A miss
    /// (every unknown key) takes the constant-time path below; the lookup's own timing reveals
    /// nothing about a key's content, as string hash codes are randomized per process.
    /// </summary>
    readonly ConcurrentDictionary<string, ClaimsPrincipal> _verified = new(StringComparer.Ordinal);

    public ClaimsPrincipal? Find(string presentedKey)
    {
        if (_verified.TryGetValue(presentedKey, out var known)) return known;
        var found = FindByHash(presentedKey);
        if (found is not null) _verified.TryAdd(presentedKey, found);
        return found;
    }

    ClaimsPrincipal? FindByHash(string presentedKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), hash);
        ClaimsPrincipal? found = null;
        // No early exit: every configured key is compared.
        foreach (var (expected, principal) in _keys)
            if (CryptographicOperations.FixedTimeEquals(hash, expected)) found = principal;
        return found;
    }

    static byte[] HashOf(ApiKeyEntry entry)
    {
        if (!string.IsNullOrEmpty(entry.KeySha256)) return Convert.FromHexString(entry.KeySha256);
        if (!string.IsNullOrEmpty(entry.Key)) return SHA256.HashData(Encoding.UTF8.GetBytes(entry.Key));
        throw new InvalidOperationException($"API key '{entry.Name}' has neither Key nor KeySha256.");
    }

    static ClaimsPrincipal PrincipalOf(ApiKeyEntry entry)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, entry.Name) };
        foreach (var role in entry.Roles.Select(r => r.Trim().ToLowerInvariant()).Distinct())
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
            if (role == Roles.Admin)
            {
                claims.Add(new Claim(ClaimTypes.Role, Roles.Read));
                claims.Add(new Claim(ClaimTypes.Role, Roles.Ingest));
            }
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName));
    }
}
