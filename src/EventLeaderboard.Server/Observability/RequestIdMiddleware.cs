namespace EventLeaderboard.Server.Observability;

/// <summary>
/// Gives every request an id: the caller's <c>X-Request-Id</c> when it is a sane token (so a
/// client or load balancer can correlate), else ASP.NET Core's own. The id becomes the
/// <see cref="HttpContext.TraceIdentifier"/> (hence the <c>traceId</c> of problem documents and
/// the <c>RequestId</c> of ASP.NET Core's log scope), is echoed in the response header, and is
/// added to the log scope of everything logged while the request runs.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string HeaderName = "X-Request-Id";
    const int MaxLength = 64;

    public Task InvokeAsync(HttpContext context)
    {
        var inbound = context.Request.Headers[HeaderName].ToString();
        if (!IsAcceptable(inbound))
        {
            // ASP.NET Core's own request scope already carries this id as RequestId: no second scope
            // (and no async state machine) on the common path.
            context.Response.Headers[HeaderName] = context.TraceIdentifier;
            return next(context);
        }
        context.TraceIdentifier = inbound;
        context.Response.Headers[HeaderName] = inbound;
        return WithCallerScope(context, inbound);
    }

    /// <summary>ASP.NET Core's request scope captured its own id before this ran; this scope carries the caller's.</summary>
    async Task WithCallerScope(HttpContext context, string id)
    {
        using (logger.BeginScope(new RequestScope(id)))
            await next(context);
    }

    /// <summary>1-64 chars of [A-Za-z0-9._:-]: anything else could forge log lines or headers.</summary>
    static bool IsAcceptable(string id)
    {
        if (id.Length is 0 or > MaxLength) return false;
        foreach (var c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-')) return false;
        return true;
    }

    /// <summary>Structured scope state: shows as <c>RequestId</c> in JSON logs.</summary>
    sealed class RequestScope(string id) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] => index == 0 ? new("RequestId", id) : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => 1;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() { yield return this[0]; }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => $"RequestId:{id}";
    }
}
