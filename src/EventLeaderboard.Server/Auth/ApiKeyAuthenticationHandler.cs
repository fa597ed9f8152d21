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

    /// <remarks>
    /// Requests do not come through here: <see cref="ApiKeyAuthenticationMiddleware"/> sets the user
    /// without a DI scope and handler per request. The scheme stays for challenge (401), forbid (403)
    /// and any explicit <c>AuthenticateAsync</c>.
    /// </remarks>
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

    public static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization[7..].Trim();
        var header = request.Headers["X-Api-Key"].ToString();
        return header.Length > 0 ? header : null;
    }
}

/// <summary>
/// Sets <see cref="HttpContext.User"/> from the presented key, in place of ASP.NET Core's
/// authentication middleware: that one creates the request's DI scope, an authentication handler and
/// its options per request, which cost more than the whole ranking query of a hot read. The outcome is
/// the same: a known key's principal, or an anonymous user (no key or an unknown one), which
/// authorization then answers with the scheme's 401 or 403.
/// </summary>
public sealed class ApiKeyAuthenticationMiddleware(RequestDelegate next, ApiKeyRegistry registry)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (ApiKeyAuthenticationHandler.PresentedKey(context.Request) is { } key && registry.Find(key) is { } principal)
            context.User = principal;
        return next(context);
    }
}

/// <summary>A configured key's principal; built once per key, shared by its requests.</summary>
public sealed class ApiKeyPrincipal(ClaimsIdentity identity, string keyName) : ClaimsPrincipal(identity)
{
    /// <summary>The key's configured name (also its <see cref="ClaimTypes.Name"/> claim).</summary>
    public string KeyName => keyName;

    /// <summary>Rate-limit bucket ids, made once here rather than concatenated per request.</summary>
    public string ReadPartition { get; } = "read:" + keyName;

    public string IngestPartition { get; } = "ingest:" + keyName;
}

/// <summary>The configured keys as SHA-256 hashes with ready-made principals.</summary>
/// <remarks>
/// Keys that verified are remembered by their presented text, so a client's later requests skip the
/// SHA-256 and the comparisons. Only exact texts of configured keys get in, so the table holds at
/// most a few entries per key (a Bearer value and an X-Api-Key value) and an attacker cannot grow it.
/// A lookup of an unknown key compares it with a remembered key only when their hash codes collide,
/// and only keys that verified (in constant time) are ever remembered.
/// </remarks>
public sealed class ApiKeyRegistry
{
    readonly (byte[] Hash, ApiKeyPrincipal Principal)[] _keys;
    readonly ConcurrentDictionary<string, ApiKeyPrincipal> _verified = new(StringComparer.Ordinal);

    public ApiKeyRegistry(IOptions<AuthOptions> options, IHostEnvironment environment)
    {
        var entries = environment.IsDevelopment() ? options.Value.ApiKeys.Concat(options.Value.DevelopmentApiKeys) : options.Value.ApiKeys;
        _keys = entries.Select(k => (HashOf(k), PrincipalOf(k))).ToArray();
    }

    public int Count => _keys.Length;

    public ApiKeyPrincipal? Find(string presentedKey)
    {
        if (_verified.TryGetValue(presentedKey, out var known)) return known;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), hash);
        ApiKeyPrincipal? found = null;
        // No early exit: every configured key is compared.
        foreach (var (expected, principal) in _keys)
            if (CryptographicOperations.FixedTimeEquals(hash, expected)) found = principal;
        if (found is not null) _verified.TryAdd(presentedKey, found);
        return found;
    }

    static byte[] HashOf(ApiKeyEntry entry)
    {
        if (!string.IsNullOrEmpty(entry.KeySha256)) return Convert.FromHexString(entry.KeySha256);
        if (!string.IsNullOrEmpty(entry.Key)) return SHA256.HashData(Encoding.UTF8.GetBytes(entry.Key));
        throw new InvalidOperationException($"API key '{entry.Name}' has neither Key nor KeySha256.");
    }

    static ApiKeyPrincipal PrincipalOf(ApiKeyEntry entry)
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
        return new ApiKeyPrincipal(new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName), entry.Name);
    }
}
