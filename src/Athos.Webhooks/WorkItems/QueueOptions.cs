using System.Globalization;
using System.Text.Json;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// The queue settings of host.json (<c>extensions.queues</c>), with the Functions host's defaults. Both hosts read the
/// same file: the Functions host to drive its queue trigger, this code to know which attempt is the last
/// (<see cref="MaxDequeueCount"/>) and, in the local runner, to behave as the trigger does.
/// </summary>
public sealed record QueueOptions
{
    public int BatchSize { get; init; } = 16;

    public int NewBatchThreshold { get; init; } = 8;

    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before its next attempt.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Attempts per message; on the last one the processor parks the item rather than let it go to poison.</summary>
    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>host.json beside the app (what the Functions host reads, and what the runner's build copies).</summary>
    public static QueueOptions FromHostJson() => Load(Path.Combine(AppContext.BaseDirectory, "host.json"));

    /// <summary>Reads host.json; a missing file gives the defaults, a malformed one an error naming it.</summary>
    /// <exception cref="OptionsValidationException">
    /// The file is not valid host.json; the failure names the file and the setting, and is reported as any bad setting is.
    /// </exception>
    public static QueueOptions Load(string hostJsonPath)
    {
        if (!File.Exists(hostJsonPath))
        {
            return new QueueOptions();
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
            {
                return new QueueOptions();
            }

            var defaults = new QueueOptions();
            var batchSize = Int(queues, "batchSize") ?? defaults.BatchSize;
            if (Text(queues, "messageEncoding") is { } encoding && !encoding.Equals("base64", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid(hostJsonPath, $"{hostJsonPath}: extensions.queues.messageEncoding is '{encoding}'; work items are written base64-encoded, so it must be 'base64'.");
            }

            return new QueueOptions
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
            throw Invalid(hostJsonPath, $"{hostJsonPath} is not valid host.json: {ex.Message}");
        }
    }

    private static OptionsValidationException Invalid(string hostJsonPath, string failure) =>
        new(hostJsonPath, typeof(QueueOptions), [failure]);

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
