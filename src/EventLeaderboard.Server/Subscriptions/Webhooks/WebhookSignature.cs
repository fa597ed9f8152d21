using System.Security.Cryptography;
using System.Text;

namespace EventLeaderboard.Server.Subscriptions.Webhooks;

/// <summary><c>X-Leaderboard-Signature: sha256=&lt;lowercase hex HMAC-SHA256 of the exact body bytes under the secret&gt;</c>.</summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Leaderboard-Signature";
    public const string MessageIdHeader = "X-Leaderboard-Message-Id";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Constant-time check, as a receiver should do it.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header));
}
