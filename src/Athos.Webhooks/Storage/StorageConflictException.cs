namespace Athos.Webhooks.Storage;

/// <summary>Concurrent writers kept winning a conditional write; the work item should be retried later.</summary>
internal sealed class StorageConflictException : Exception
{
    public StorageConflictException()
    {
    }

    public StorageConflictException(string message)
        : base(message)
    {
    }

    public StorageConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
