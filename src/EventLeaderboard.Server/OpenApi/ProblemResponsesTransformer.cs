using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EventLeaderboard.Server.OpenApi;

/// <summary>
/// Adds to every operation the problem responses of <see cref="ProblemStatuses"/> as
/// <c>application/problem+json</c>, a Retry-After header where one is sent, the API-key security
/// requirement where a key is needed, the request body schema of the endpoints that read one by
/// hand (<see cref="RequestBodies"/>), and a tag per API area.
/// </summary>
internal sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var method = description.HttpMethod?.ToUpperInvariant() ?? "GET";
        var route = "/" + (description.RelativePath ?? "").TrimStart('/');
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var requiresKey = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();

        operation.Tags = new HashSet<OpenApiTagReference> { new(TagOf(route), context.Document) };
        operation.Summary = $"{method} {route}";

        // The endpoints return hand-written IResults: the inferred 200 schema ("IResult") says
        // nothing, and Wolverine's default 404 is wrong where nothing can be missing.
        operation.Responses ??= new OpenApiResponses();
        foreach (var key in operation.Responses.Keys.Where(k => k.StartsWith('2') || k == "404").ToList()) operation.Responses.Remove(key);
        operation.Responses["200"] = new OpenApiResponse { Description = "OK: a JSON document as described in docs/api.md." };
        if (method == "PUT") operation.Responses["201"] = new OpenApiResponse { Description = "Created." };

        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), cancellationToken: cancellationToken);
        var validationProblem = await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), cancellationToken: cancellationToken);
        foreach (var (status, reason) in ProblemStatuses.For(method, route, requiresKey))
        {
            var response = new OpenApiResponse
            {
                Description = reason,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = status == 400 ? validationProblem : problem },
                },
            };
            if (status is 429 or 503)
            {
                response.Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
                };
            }
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = response;
        }

        if (requiresKey)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeySecurityScheme.Name, context.Document)] = [] });
        }

        if (RequestBodies.For(method, route) is { } body)
        {
            var schema = await context.GetOrCreateSchemaAsync(body.Type, cancellationToken: cancellationToken);
            if (schema is OpenApiSchema concrete) concrete.Required = new HashSet<string>(body.Required);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        }
    }

    static string TagOf(string route) => route switch
    {
        _ when route.StartsWith("/v1/subscriptions", StringComparison.Ordinal) => "Subscriptions",
        _ when route.StartsWith("/v1/admin", StringComparison.Ordinal) => "Administration",
        _ when route.Contains("/scores", StringComparison.Ordinal) => "Ingest",
        _ when route.StartsWith("/v1/leaderboards", StringComparison.Ordinal) => "Leaderboards",
        _ => "Operations",
    };
}
