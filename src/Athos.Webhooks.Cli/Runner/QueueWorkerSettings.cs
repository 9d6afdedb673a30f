using System.Globalization;
using System.Text.Json;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The queue settings of host.json (<c>extensions.queues</c>), with the Functions host's defaults, so that the local
/// runner's worker behaves as the queue trigger does in Azure.
/// </summary>
internal sealed record QueueWorkerSettings
{
    public const string MessageLeaseSetting = "ATHOS_RUNNER_MESSAGE_LEASE";

    public int BatchSize { get; init; } = 16;

    public int NewBatchThreshold { get; init; } = 8;

    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before its next attempt.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>
    /// How long a received message stays hidden while it is processed (renewed at half-time). A crashed runner's
    /// messages reappear after this long. Not a host.json setting: the runner's own (<c>ATHOS_RUNNER_MESSAGE_LEASE</c>).
    /// </summary>
    public TimeSpan MessageLease { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Reads host.json; a missing file gives the defaults, a malformed one an error naming it.</summary>
    public static QueueWorkerSettings Load(string hostJsonPath)
    {
        if (!File.Exists(hostJsonPath))
        {
            return new QueueWorkerSettings();
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
            {
                return new QueueWorkerSettings();
            }

            var defaults = new QueueWorkerSettings();
            var batchSize = Int(queues, "batchSize") ?? defaults.BatchSize;
            if (Text(queues, "messageEncoding") is { } encoding && !encoding.Equals("base64", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{hostJsonPath}: extensions.queues.messageEncoding is '{encoding}'; work items are written base64-encoded, so it must be 'base64'.");
            }

            return new QueueWorkerSettings
            {
                BatchSize = batchSize,
                NewBatchThreshold = Int(queues, "newBatchThreshold") ?? batchSize / 2,
                MaxPollingInterval = Time(queues, "maxPollingInterval") ?? defaults.MaxPollingInterval,
                VisibilityTimeout = Time(queues, "visibilityTimeout") ?? defaults.VisibilityTimeout,
                MaxDequeueCount = Int(queues, "maxDequeueCount") ?? defaults.MaxDequeueCount,
            };
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidCastException)
        {
            throw new InvalidOperationException($"{hostJsonPath} is not valid host.json: {ex.Message}", ex);
        }
    }

    private static int? Int(JsonElement queues, string name) =>
        queues.TryGetProperty(name, out var value) ? value.GetInt32() : null;

    private static string? Text(JsonElement queues, string name) =>
        queues.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static TimeSpan? Time(JsonElement queues, string name) =>
        Text(queues, name) is { } text ? TimeSpan.Parse(text, CultureInfo.InvariantCulture) : null;
}
