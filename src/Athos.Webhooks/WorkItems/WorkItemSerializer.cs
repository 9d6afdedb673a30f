using System.Text.Json;

namespace Athos.Webhooks.WorkItems;

/// <summary>The one place that turns work items into queue message bodies and back.</summary>
internal static class WorkItemSerializer
{
    /// <summary>Messages are small by design; the queue's own limit is 64 KiB.</summary>
    public const int MaxMessageBytes = 8 * 1024;

    public static BinaryData Serialize(WorkItem item) =>
        BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(item, WorkItemJsonContext.Default.WorkItem));

    /// <summary>Parses a message body, or throws <see cref="InvalidWorkItemException"/> saying what is wrong with it.</summary>
    public static WorkItem Deserialize(BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.ToMemory().Length > MaxMessageBytes)
        {
            throw new InvalidWorkItemException($"The message is {body.ToMemory().Length} bytes; a work item is at most {MaxMessageBytes}.");
        }

        WorkItem? item;
        try
        {
            item = JsonSerializer.Deserialize(body.ToMemory().Span, WorkItemJsonContext.Default.WorkItem);
        }
        catch (JsonException ex)
        {
            throw new InvalidWorkItemException($"The message is not a valid work item: {ex.Message}", ex);
        }
        catch (NotSupportedException ex)
        {
            // An unknown or missing "kind" lands here.
            throw new InvalidWorkItemException($"The message is not a known kind of work item: {ex.Message}", ex);
        }

        return item switch
        {
            null => throw new InvalidWorkItemException("The message is the JSON literal null."),
            { Version: not WorkItem.CurrentVersion } => throw new InvalidWorkItemException($"The message is work item version {item.Version}; this build reads version {WorkItem.CurrentVersion}."),
            _ => item,
        };
    }

    /// <summary>
    /// The call a message names (its top-level <c>callId</c>), whatever its kind, or null: read from the JSON itself, so
    /// that erasure finds every message of a call, of a kind added later or of a version this build does not read too.
    /// </summary>
    public static string? CallIdOf(BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            using var document = JsonDocument.Parse(body.ToMemory());
            return document.RootElement is { ValueKind: JsonValueKind.Object } root
                && root.TryGetProperty("callId", out var callId) && callId.ValueKind == JsonValueKind.String
                ? callId.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A queue message that is not a work item this build understands. It is never retried into success.</summary>
internal sealed class InvalidWorkItemException : Exception
{
    public InvalidWorkItemException()
    {
    }

    public InvalidWorkItemException(string message)
        : base(message)
    {
    }

    public InvalidWorkItemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
