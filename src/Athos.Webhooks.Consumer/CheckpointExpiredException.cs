namespace Athos.Webhooks.Consumer;

/// <summary>
/// A checkpoint older than what the change feed keeps (<c>ATHOS_CHANGE_RETENTION</c>): changes after it may have been
/// deleted, so reading on from it could skip some. Re-sync from the tables, then follow the feed again.
/// </summary>
public sealed class CheckpointExpiredException : Exception
{
    /// <summary>An exception with the default message.</summary>
    public CheckpointExpiredException()
    {
    }

    /// <summary>An exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public CheckpointExpiredException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CheckpointExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The feed refused <paramref name="checkpoint"/>, at <paramref name="position"/>: changes are certainly all kept only since <paramref name="keptSince"/>.</summary>
    /// <param name="checkpoint">The checkpoint refused.</param>
    /// <param name="position">The time the checkpoint stands at.</param>
    /// <param name="keptSince">The oldest time from which changes are certainly all kept.</param>
    public CheckpointExpiredException(string checkpoint, DateTimeOffset position, DateTimeOffset keptSince)
        : base($"The checkpoint {checkpoint} (at {position.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}) is older than the change feed keeps (changes since {keptSince.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}; ATHOS_CHANGE_RETENTION): changes after it may have been deleted. Re-sync from the tables (read AthosCalls, or AthosCallsByDay day by day), then follow the feed from a checkpoint taken before that read.")
    {
        Checkpoint = checkpoint;
        KeptSince = keptSince;
    }

    /// <summary>The checkpoint refused.</summary>
    public string? Checkpoint { get; }

    /// <summary>The oldest time from which changes are certainly all kept.</summary>
    public DateTimeOffset? KeptSince { get; }
}
