namespace EventLeaderboard.Server.Subscriptions.Webhooks;

/// <summary>
/// The <c>Webhooks:AllowedHosts</c> rule: a URL's host must equal an entry (case-insensitive) or,
/// for an entry <c>*.example.com</c>, end with <c>.example.com</c>. Checked when a group is
/// defined and again before every POST (the configuration may have changed since).
/// </summary>
public static class WebhookHosts
{
    public static bool IsAllowed(Uri url, WebhookOptions options)
    {
        var host = url.IdnHost.TrimEnd('.');
        foreach (var entry in options.AllowedHosts)
        {
            if (string.IsNullOrWhiteSpace(entry)) continue;
            var allowed = entry.Trim().TrimEnd('.');
            if (allowed.StartsWith("*.", StringComparison.Ordinal))
            {
                if (host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase) && host.Length > allowed.Length - 1) return true;
            }
            else if (string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase) || string.Equals(url.Host, allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
