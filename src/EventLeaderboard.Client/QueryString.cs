using System.Globalization;
using System.Text;
using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.Client;

/// <summary>Builds <c>path?a=1&amp;b=2</c>, leaving out parameters the caller did not set so server defaults apply.</summary>
internal sealed class QueryString(string path)
{
    private readonly StringBuilder _text = new(path);
    private bool _hasQuery;

    public QueryString Add(string name, long? value) =>
        value is { } v ? Add(name, v.ToString(CultureInfo.InvariantCulture)) : this;

    public QueryString Add(string name, DateTimeOffset? value) =>
        value is { } v ? Add(name, v.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)) : this;

    public QueryString Add(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _text.Append(_hasQuery ? '&' : '?').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        _hasQuery = true;
        return this;
    }

    public QueryString Add(ReadOptions? read) => read is null
        ? this
        : Add("minSequence", read.MinSequence).Add("waitMs", read.WaitMs).Add("asOf", read.AsOf);

    public override string ToString() => _text.ToString();
}
