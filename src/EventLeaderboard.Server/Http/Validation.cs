using System.Text;
using System.Text.Json;
using FluentValidation;
using FluentValidation.Results;

namespace EventLeaderboard.Server.Http;

/// <summary>The contract's rules for ids and metadata, as FluentValidation rules and plain checks.</summary>
public static class Validation
{
    public const int MaxIdLength = 64;
    public const int MaxPlayerIdBytes = 128;
    public const int MaxMetadataBytes = 1024;

    /// <summary>Board and submission ids: 1-64 chars of [A-Za-z0-9_.:-].</summary>
    public static bool IsValidKey(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength) return false;
        foreach (var c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-')) return false;
        return true;
    }

    /// <summary>Player ids: 1-128 UTF-8 bytes, no control characters, well-formed UTF-16.</summary>
    public static bool IsValidPlayerId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxPlayerIdBytes) return false;
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c)) return false;
            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return false;
        }
        return Encoding.UTF8.GetByteCount(id) <= MaxPlayerIdBytes;
    }

    /// <summary>Metadata: absent, or a JSON object of at most 1 KiB serialized compactly.</summary>
    public static bool IsValidMetadata(JsonElement? metadata) =>
        metadata is not { } m || (m.ValueKind == JsonValueKind.Object && SerializedLengthAtMost(m, MaxMetadataBytes));

    /// <summary>
    /// Whether the object serializes to at most <paramref name="limit"/> bytes. Serializing grows a
    /// received byte at most 6-fold (an escaped character, <c>\u003C</c>), so small objects (the usual
    /// display name and country) pass on their received length without being serialized here: the
    /// projection serializes them once when it stores them.
    /// </summary>
    static bool SerializedLengthAtMost(JsonElement m, int limit) =>
        System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(m).Length * 6 <= limit
        || JsonSerializer.SerializeToUtf8Bytes(m).Length <= limit;

    public const string KeyMessage = "Must be 1-64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'.";
    public const string PlayerIdMessage = "Must be 1-128 UTF-8 bytes without control characters.";
    public const string MetadataMessage = "Must be a JSON object of at most 1024 bytes.";

    public static IRuleBuilderOptions<T, string?> MustBeKey<T>(this IRuleBuilder<T, string?> rule) => rule.Must(IsValidKey).WithMessage(KeyMessage);

    public static IRuleBuilderOptions<T, string?> MustBePlayerId<T>(this IRuleBuilder<T, string?> rule) => rule.Must(IsValidPlayerId).WithMessage(PlayerIdMessage);

    public static IRuleBuilderOptions<T, JsonElement?> MustBeMetadata<T>(this IRuleBuilder<T, JsonElement?> rule) => rule.Must(IsValidMetadata).WithMessage(MetadataMessage);

    /// <summary>Field path -> messages, the problem document's <c>errors</c>.</summary>
    public static Dictionary<string, string[]> ToErrors(ValidationResult result) =>
        result.Errors.GroupBy(e => e.PropertyName).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());

    /// <summary>Makes FluentValidation name fields as the JSON does: "scores[3].score", not "Scores[3].Score".</summary>
    public static void UseCamelCasePropertyNames()
    {
        // Keep FluentValidation's own resolution (it builds "Webhook.Url" from x => x.Webhook.Url) and
        // camel-case each segment. Idempotent, so calling it once per host is harmless.
        var resolveName = DefaultPropertyNameResolver;
        ValidatorOptions.Global.PropertyNameResolver = (type, member, expression) => CamelCasePath(resolveName(type, member, expression));
        ValidatorOptions.Global.DisplayNameResolver = (type, member, expression) => CamelCasePath(resolveName(type, member, expression));
    }

    static readonly Func<Type, System.Reflection.MemberInfo, System.Linq.Expressions.LambdaExpression, string> DefaultPropertyNameResolver =
        ValidatorOptions.Global.PropertyNameResolver;

    static string CamelCasePath(string? path) =>
        string.IsNullOrEmpty(path) ? path ?? "" : string.Join('.', path.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
}
