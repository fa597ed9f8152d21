using System.Globalization;

namespace EventLeaderboard.Server.Http;

/// <summary>
/// Parses query-string numbers, collecting a field error (rather than throwing or silently
/// defaulting) for text that is not a number of the right type; range rules are left to the
/// query's FluentValidation validator.
/// </summary>
public sealed class QueryParameters(HttpRequest request)
{
    Dictionary<string, string[]>? _errors;

    public Dictionary<string, string[]>? Errors => _errors;

    public long? Long(string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0) return null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        (_errors ??= [])[name] = ["Must be a 64-bit integer."];
        return null;
    }

    public int? Int(string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        (_errors ??= [])[name] = ["Must be a 32-bit integer."];
        return null;
    }
}
