using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Auth;

/// <summary>
/// One policy per role. <c>read</c> also admits anonymous callers when <c>Auth:AnonymousRead</c> is
/// true, but only callers that sent no key: an unknown or wrong key is still a 401 (the contract's
/// "missing or unknown key"), so a client with a typo in its key finds out. The rule itself is
/// <see cref="Allows"/>, which <see cref="RoleAuthorizationMiddleware"/> evaluates per request.
/// </summary>
public sealed class RolePolicies(IOptions<AuthOptions> auth) : IConfigureOptions<AuthorizationOptions>
{
    public void Configure(AuthorizationOptions options)
    {
        var anonymousRead = auth.Value.AnonymousRead;
        foreach (var role in new[] { Roles.Read, Roles.Ingest, Roles.Admin })
            options.AddPolicy(role, p => p.RequireAssertion(c => c.Resource is HttpContext http && Allows(role, http, anonymousRead)));
    }

    /// <summary>True when the policy named <paramref name="role"/> admits the request's user.</summary>
    public static bool Allows(string role, HttpContext context, bool anonymousRead) =>
        context.User.IsInRole(role) || (role == Roles.Read && anonymousRead && SentNoKey(context.Request));

    /// <summary>True for the policy names <see cref="Allows"/> knows.</summary>
    public static bool IsRolePolicy(string? name) => name is Roles.Read or Roles.Ingest or Roles.Admin;

    static bool SentNoKey(HttpRequest request) =>
        !request.Headers.ContainsKey("Authorization") && !request.Headers.ContainsKey("X-Api-Key");
}

/// <summary>
/// Enforces the endpoints' role policies (<c>[Authorize(Policy = Roles.Read)]</c> and the like) in place
/// of ASP.NET Core's authorization middleware, with the same outcome: 401 through the API-key scheme's
/// challenge when the caller is not authenticated, 403 through its forbid when the key lacks the role,
/// <c>[AllowAnonymous]</c> honoured. Why: that middleware resolves a policy evaluator and an
/// authorization service from the request's DI scope, reads an AppContext switch under a process-wide
/// lock and records a metric on every request; on two cores that was about a quarter of a hot read.
/// </summary>
/// <remarks>
/// Only role policies are understood. Any other authorization metadata (roles, schemes, other
/// policies) is refused with an exception rather than silently allowed.
/// </remarks>
public sealed class RoleAuthorizationMiddleware(RequestDelegate next, IOptions<AuthOptions> auth)
{
    /// <summary>What ASP.NET Core's authorization middleware sets so the endpoint middleware knows authorization ran.</summary>
    const string AuthorizationRanKey = "__AuthorizationMiddlewareWithEndpointInvoked";

    readonly bool _anonymousRead = auth.Value.AnonymousRead;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint) return next(context);
        var requirements = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
        // Authorization given in forms this middleware does not evaluate must not be served open.
        if (endpoint.Metadata.GetMetadata<AuthorizationPolicy>() is not null || endpoint.Metadata.GetMetadata<IAuthorizationRequirementData>() is not null)
            throw new InvalidOperationException(
                $"Endpoint '{endpoint.DisplayName}' carries an authorization policy or requirement object this service does not evaluate; use a role policy.");
        if (requirements.Count == 0) return next(context);
        context.Items[AuthorizationRanKey] = true;
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) return next(context);
        foreach (var requirement in requirements)
        {
            if (!RolePolicies.IsRolePolicy(requirement.Policy) || requirement.Roles is not null || requirement.AuthenticationSchemes is not null)
                throw new InvalidOperationException(
                    $"Endpoint '{endpoint.DisplayName}' asks for authorization this service does not evaluate (policy '{requirement.Policy}', roles '{requirement.Roles}', schemes '{requirement.AuthenticationSchemes}'); use a role policy.");
            if (!RolePolicies.Allows(requirement.Policy!, context, _anonymousRead))
                return context.User.Identity?.IsAuthenticated == true ? context.ForbidAsync() : context.ChallengeAsync();
        }
        return next(context);
    }
}

/// <summary>Refuses to start a non-Development node that has no API keys, rather than run it open.</summary>
public sealed class AuthConfigurationCheck(ApiKeyRegistry keys, IHostEnvironment environment) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.Count == 0 && !environment.IsDevelopment())
            throw new InvalidOperationException(
                $"No API keys are configured (Auth:ApiKeys) and the environment is '{environment.EnvironmentName}'. " +
                "Configure at least one key, e.g. Auth__ApiKeys__0__Name, Auth__ApiKeys__0__Key and Auth__ApiKeys__0__Roles__0=admin; " +
                "the server does not run without authentication outside Development.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
