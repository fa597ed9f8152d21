namespace EventLeaderboard.Server.Subscriptions;

/// <summary>Section <c>Subscriptions</c>.</summary>
public sealed class SubscriptionOptions
{
    /// <summary>Seconds between <c>: heartbeat</c> comments on an idle event stream.</summary>
    public double HeartbeatSeconds { get; set; } = 15;

    /// <summary>Messages buffered per stream client; a client that falls this far behind is dropped.</summary>
    public int StreamBufferSize { get; set; } = 1000;

    /// <summary>Whether this node feeds the in-process Wolverine notification handlers (group <see cref="InProcessGroup"/>).</summary>
    public bool InProcessHandlers { get; set; } = true;

    /// <summary>Log events derived but not yet written that the follower may run ahead by before it waits for the writer.</summary>
    public int WriterQueueCapacity { get; set; } = 8192;

    /// <summary>
    /// Hours a <c>sub_messages</c> row is kept at least; after that it is deleted once no group
    /// needs it (see <see cref="MessageRetention"/>). <c>startAt</c>, reset and a stream's
    /// <c>Last-Event-ID</c> further back than this find only what groups still pin.
    /// </summary>
    public double RetentionHours { get; set; } = 24;

    /// <summary>Seconds between two retention passes.</summary>
    public double RetentionCheckSeconds { get; set; } = 60;

    /// <summary>The internal consumer group of the in-process handlers (names starting with '_' are reserved).</summary>
    public const string InProcessGroup = "_server.notifications";
}

/// <summary>Section <c>Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Hosts webhook URLs may target: exact host names or IP literals (<c>hooks.example.com</c>,
    /// <c>127.0.0.1</c>) or suffix patterns (<c>*.example.com</c>). Empty by default: no webhooks
    /// until an operator allows a destination, so the service cannot be aimed at private networks.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Timeout of one POST.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>POSTs in flight at once per webhook group on one node.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>First retry delay; doubles per attempt (with ±50% jitter) up to <see cref="MaxBackoffMs"/>.</summary>
    public int BaseBackoffMs { get; set; } = 250;

    public int MaxBackoffMs { get; set; } = 30_000;
}
