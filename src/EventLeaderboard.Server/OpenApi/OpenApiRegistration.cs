using Scalar.AspNetCore;

namespace EventLeaderboard.Server.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the Scalar reference page at <c>/docs</c>, both anonymous.</summary>
public static class OpenApiRegistration
{
    public static IServiceCollection AddLeaderboardOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer<ApiKeySecurityScheme>();
            options.AddOperationTransformer<ProblemResponsesTransformer>();
        });

    public static WebApplication MapLeaderboardOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options
                .WithTitle("EventLeaderboard API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .AllowAnonymous();
        return app;
    }
}
