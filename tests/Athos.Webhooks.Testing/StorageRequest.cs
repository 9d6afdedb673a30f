using Azure.Core;

namespace Athos.Webhooks.Testing;

/// <summary>One storage request by name: its method and the table, container or queue it addresses.</summary>
public sealed record StorageRequest(string Method, string Target)
{
    public bool IsRead => Method is "GET" or "HEAD";

    public static StorageRequest Of(Request request) => Of(request.Method.ToString(), request.Uri.ToUri());

    public static StorageRequest Of(string method, Uri uri)
    {
        // ".../AthosCalls(PartitionKey='…',RowKey='')", ".../AthosCallsByUser", ".../athos-calls/{callId}.json" (a blob
        // in its container), ".../athos-calls/messages[/{id}]" (a queue's messages) or ".../AthosWebhookDeliveries/$batch" (an
        // entity-group transaction, named by StorageRequestCounter after the table in its body).
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var messages = Array.IndexOf(segments, "messages");
        var target = messages > 0 ? segments[messages - 1] + "/messages"
            : segments.Length >= 2 && segments[^1] == "$batch" ? segments[^2] + "/$batch"
            : segments.Length >= 2 && segments[^1].Contains('.', StringComparison.Ordinal) ? segments[^2]
            : segments[^1];
        var parenthesis = target.IndexOf('(', StringComparison.Ordinal);
        return new StorageRequest(method, parenthesis < 0 ? target : target[..parenthesis]);
    }

    public override string ToString() => $"{Method} {Target}";
}
