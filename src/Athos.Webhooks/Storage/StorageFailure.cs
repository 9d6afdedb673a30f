using Azure;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Whether an exception means "storage failed": a <see cref="RequestFailedException"/>, or the
/// <see cref="AggregateException"/> of them that the Azure SDK throws once its retries are spent (an unreachable
/// account ends that way, not with a single <see cref="RequestFailedException"/>).
/// </summary>
public static class StorageFailure
{
    public static bool IsStorageFailure(this Exception exception) => exception switch
    {
        RequestFailedException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsStorageFailure),
        _ => false,
    };
}
