using FluentValidation;

namespace EventLeaderboard.Server.Http;

/// <summary>Binds a query record from the query string and runs its validator; a 400 problem on failure.</summary>
public static class QueryValidation
{
    public static ProblemResult? Validate<T>(HttpContext context, Func<QueryParameters, T> bind, IValidator<T> validator, out T query)
    {
        var parameters = new QueryParameters(context.Request);
        query = bind(parameters);
        var errors = parameters.Errors;
        var result = validator.Validate(query);
        if (!result.IsValid)
        {
            errors ??= [];
            foreach (var (field, messages) in Validation.ToErrors(result)) errors.TryAdd(field, messages);
        }
        return errors is null ? null : ProblemResult.Validation(errors);
    }
}
