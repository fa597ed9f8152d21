using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Subscriptions.Webhooks;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

/// <summary>
/// Body of <c>PUT /v1/subscriptions/{group}</c>. <c>boards</c> is required on creation; on update,
/// omitted fields keep their values and <c>startAt</c> is ignored (move a group with reset).
/// </summary>
public sealed record DefineGroup(string[]? Boards, string[]? Kinds, JsonElement? StartAt, int? AckTimeoutSeconds, int? MaxDeliveries, WebhookBody? Webhook)
{
    public const int DefaultAckTimeoutSeconds = 30;
    public const int DefaultMaxDeliveries = 5;
    public const int MaxBoards = 1000;

    public sealed class Validator : AbstractValidator<DefineGroup>
    {
        public Validator()
        {
            RuleFor(x => x.Boards).Must(b => b!.Length is > 0 and <= MaxBoards).When(x => x.Boards is not null)
                .WithMessage($"Must list 1-{MaxBoards} board ids, or be [\"*\"].");
            RuleFor(x => x.Boards).Must(b => b!.Length == 1).When(x => x.Boards is not null && x.Boards.Contains("*"))
                .WithMessage("\"*\" (every board) must be the only entry.");
            RuleForEach(x => x.Boards).Must(b => b == "*" || Validation.IsValidKey(b)).WithMessage(Validation.KeyMessage);
            RuleFor(x => x.Kinds).Must(k => k!.Length > 0).When(x => x.Kinds is not null).WithMessage("Must list at least one kind (omit it for all).");
            RuleForEach(x => x.Kinds).Must(MessageKinds.IsKnown).WithMessage("Must be one of: " + string.Join(", ", MessageKinds.All) + ".");
            RuleFor(x => x.StartAt).Must(Endpoints.StartAt.IsValid).WithMessage(Endpoints.StartAt.Message);
            RuleFor(x => x.AckTimeoutSeconds).InclusiveBetween(1, 3600);
            RuleFor(x => x.MaxDeliveries).InclusiveBetween(1, 100);
            RuleFor(x => x.Webhook!.Url).Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                .When(x => x.Webhook is not null).WithMessage("Must be an absolute http or https URL.").OverridePropertyName("webhook.url");
            RuleFor(x => x.Webhook!.Secret).Must(s => s is { Length: >= 1 and <= 256 })
                .When(x => x.Webhook is not null).WithMessage("Must be 1-256 characters.").OverridePropertyName("webhook.secret");
        }
    }
}

/// <summary><c>webhook: { url, secret }</c>.</summary>
public sealed record WebhookBody(string? Url, string? Secret);

public static class DefineGroupEndpoint
{
    [WolverinePut("/v1/subscriptions/{group}")]
    [Authorize(Policy = Roles.Admin)]
    public static async Task<IResult> Put(string group, HttpContext context, RequestBody body, IValidator<DefineGroup> validator,
        ConsumerGroupStore store, LeaderboardProjection projection, IOptions<WebhookOptions> webhooks)
    {
        if (GroupName.CheckDefinable(group) is { } badName) return badName;
        var (request, problem) = await body.ReadAsync(context, SubscriptionJsonContext.Default.DefineGroup, validator);
        if (problem is not null) return problem;
        if (request!.Webhook?.Url is { } url && !WebhookHosts.IsAllowed(new Uri(url), webhooks.Value))
            return ProblemResult.Validation("webhook.url", "The host is not in Webhooks:AllowedHosts.");

        // "end" (the default) means "after what this node has applied": wrong while it is still replaying.
        if (!projection.IsReady) return ReadGate.NotReady(1);
        var ct = context.RequestAborted;
        var existing = await store.GetAsync(group, ct);
        if (existing is null && request.Boards is null)
            return ProblemResult.Validation("boards", "Required when the group is created.");
        var definition = new GroupDefinition(
            group,
            request.Boards ?? existing!.Boards,
            request.Kinds?.Distinct().ToArray() ?? existing?.Kinds ?? [.. MessageKinds.All],
            request.AckTimeoutSeconds ?? existing?.AckTimeoutSeconds ?? DefineGroup.DefaultAckTimeoutSeconds,
            request.MaxDeliveries ?? existing?.MaxDeliveries ?? DefineGroup.DefaultMaxDeliveries,
            request.Webhook?.Url ?? existing?.WebhookUrl,
            request.Webhook?.Secret ?? existing?.WebhookSecret);
        var created = await store.DefineAsync(definition, StartAt.Resolve(request.StartAt, projection.AppliedSequence), ct);
        return new GroupDefinitionResponse(definition, created);
    }
}

/// <summary>The group's settings (never the webhook secret).</summary>
public sealed class GroupDefinitionResponse(GroupDefinition d, bool created) : JsonResponse
{
    protected override int StatusCode => created ? StatusCodes.Status201Created : StatusCodes.Status200OK;

    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("group", d.Name);
        writer.WriteStartArray("boards");
        foreach (var b in d.Boards) writer.WriteStringValue(b);
        writer.WriteEndArray();
        writer.WriteStartArray("kinds");
        foreach (var k in d.Kinds) writer.WriteStringValue(k);
        writer.WriteEndArray();
        writer.WriteNumber("ackTimeoutSeconds", d.AckTimeoutSeconds);
        writer.WriteNumber("maxDeliveries", d.MaxDeliveries);
        if (d.WebhookUrl is { } url)
        {
            writer.WriteStartObject("webhook");
            writer.WriteString("url", url);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }
}
