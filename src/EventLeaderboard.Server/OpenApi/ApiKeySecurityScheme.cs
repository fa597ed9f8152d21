using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EventLeaderboard.Server.OpenApi;

/// <summary>Declares the API key (bearer token) scheme and the document's title and description.</summary>
internal sealed class ApiKeySecurityScheme : IOpenApiDocumentTransformer
{
    public const string Name = "ApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "EventLeaderboard API",
            Version = "v1",
            Description = "Event-sourced leaderboards. Every error is an RFC 9457 problem document; ranks are 1-based and unique; " +
                "every answer that reflects the rankings carries `sequence`, and reads accept `minSequence` and `waitMs`.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Name] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key from Auth:ApiKeys as 'Authorization: Bearer <key>' (the 'X-Api-Key: <key>' header is accepted too).",
        };
        document.Tags ??= new HashSet<OpenApiTag>();
        foreach (var tag in new[] { "Leaderboards", "Ingest", "Subscriptions", "Administration", "Operations" })
            document.Tags.Add(new OpenApiTag { Name = tag });
        // Left over from the success responses the operation transformer replaces.
        document.Components.Schemas?.Remove("IResult");
        return Task.CompletedTask;
    }
}
