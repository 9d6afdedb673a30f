using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

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

    /// <summary>The runner's lease: <see cref="MessageLeaseSetting"/>, or a minute.</summary>
    /// <exception cref="OptionsValidationException">The setting is not a duration of at least two seconds.</exception>
    public static TimeSpan ParseMessageLease(string? text)
    {
        if (text is null)
        {
            return TimeSpan.FromMinutes(1);
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var lease) && lease >= TimeSpan.FromSeconds(2)
            ? lease
            : throw new OptionsValidationException(MessageLeaseSetting, typeof(QueueWorkerSettings), [$"{MessageLeaseSetting} must be a duration of at least 00:00:02, such as 00:01:00; got '{text}'."]);
    }

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
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException)
        {
            throw new InvalidOperationException($"{hostJsonPath} is not valid host.json: {ex.Message}", ex);
        }
    }

    private static int? Int(JsonElement queues, string name) => queues.TryGetProperty(name, out var value)
        ? value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw new FormatException($"extensions.queues.{name} must be a whole number.")
        : null;

    private static string? Text(JsonElement queues, string name) => queues.TryGetProperty(name, out var value)
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"extensions.queues.{name} must be a string.")
        : null;

    private static TimeSpan? Time(JsonElement queues, string name) => Text(queues, name) is { } text
        ? TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var time) ? time : throw new FormatException($"extensions.queues.{name} must be a duration such as 00:01:00; got '{text}'.")
        : null;
}
