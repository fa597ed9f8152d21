using System.Collections.Concurrent;
using FluentValidation;

namespace EventLeaderboard.Server.Http;

/// <summary>Binds a query record from the query string and runs its validator; a 400 problem on failure.</summary>
/// <remarks>
/// A bound query depends on the raw query string alone, and clients repeat the same few query strings
/// (<c>""</c>, <c>?limit=100</c>, <c>?above=10&amp;below=10</c>), so query strings already found valid are
/// remembered with their bound query: a hot read then skips parsing the query collection (a dictionary
/// per request) and the FluentValidation run, which together cost about as much as the ranking query.
/// Invalid query strings are never remembered, and the memory is bounded by <see cref="MaxRemembered"/>.
/// </remarks>
public static class QueryValidation
{
    /// <summary>Distinct valid query strings remembered per query type; later ones are validated every time.</summary>
    public const int MaxRemembered = 1024;

    public static ProblemResult? Validate<T>(HttpContext context, Func<QueryParameters, T> bind, IValidator<T> validator, out T query)
    {
        var raw = context.Request.QueryString.Value ?? "";
        if (ValidQueries<T>.Remembered.TryGetValue(raw, out var remembered))
        {
            query = remembered;
            return null;
        }
        var parameters = new QueryParameters(context.Request);
        query = bind(parameters);
        var errors = parameters.Errors;
        var result = validator.Validate(query);
        if (!result.IsValid)
        {
            errors ??= [];
            foreach (var (field, messages) in Validation.ToErrors(result)) errors.TryAdd(field, messages);
        }
        if (errors is not null) return ProblemResult.Validation(errors);
        // Count is approximate under races; a few entries over the bound do not matter.
        if (ValidQueries<T>.Remembered.Count < MaxRemembered) ValidQueries<T>.Remembered.TryAdd(raw, query);
        return null;
    }

    /// <summary>One table per query type: the same query string binds to different records for different endpoints.</summary>
    static class ValidQueries<T>
    {
        public static readonly ConcurrentDictionary<string, T> Remembered = new(StringComparer.Ordinal);
    }
}
