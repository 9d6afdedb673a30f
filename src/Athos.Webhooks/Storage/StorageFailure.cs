using Azure;
using Azure.Identity;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Whether an exception means "storage failed": a <see cref="RequestFailedException"/>, or the
/// <see cref="AggregateException"/> of them that the Azure SDK throws once its retries are spent (an unreachable
/// account ends that way, not with a single <see cref="RequestFailedException"/>). An identity that cannot get a token
/// for storage (<see cref="AuthenticationFailedException"/>, and its <see cref="CredentialUnavailableException"/>) is a
/// storage failure too: storage is as unusable as if it were down, and the answer is the same (503, back off, retry),
/// never a crash or a 500. Public because the hosts report storage failures alike (the CLI's one line, the runner's
/// queue worker) and a consumer reading the tables meets the same exceptions.
/// </summary>
public static class StorageFailure
{
    public static bool IsStorageFailure(this Exception exception) => exception switch
    {
        RequestFailedException => true,
        AuthenticationFailedException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsStorageFailure),
        _ => false,
    };

    /// <summary>What a storage failure says, in one line: the SDK appends the response's headers and content below it.</summary>
    public static string FirstLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var first = exception is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[0] : exception;
        return first.Message.Split('\n')[0].Trim();
    }
}
