using Athos.Webhooks.Hosting;
using Athos.Webhooks.Storage;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// The one way every command reports the two failures that are the operator's to fix: bad settings (each failure on
/// its own line, naming the setting; exit 2) and storage that failed or cannot be reached (one line; exit 1).
/// </summary>
internal static class CliFailures
{
    /// <summary>Whether <see cref="ReportAsync"/> knows how to say what <paramref name="exception"/> means.</summary>
    public static bool IsReportable(Exception exception) => SettingsFailures(exception) is not null || exception.IsStorageFailure();

    /// <summary>Prints a failure <see cref="IsReportable"/> accepts and returns its exit code.</summary>
    public static async Task<int> ReportAsync(Exception exception, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (SettingsFailures(exception) is { } failures)
        {
            foreach (var failure in failures)
            {
                await error.WriteLineAsync(failure);
            }

            return ExitCodes.Usage;
        }

        await error.WriteLineAsync(StorageMessage(StorageFailure.FirstLine(exception)));
        return ExitCodes.Failed;
    }

    /// <summary>
    /// What start-up validation said, each message naming its setting: one <see cref="OptionsValidationException"/>
    /// (options read on first use), or the host's aggregate of them (validated at start); otherwise null.
    /// </summary>
    public static IReadOnlyList<string>? SettingsFailures(Exception exception) => exception switch
    {
        OptionsValidationException one => [.. one.Failures],
        AggregateException { InnerExceptions.Count: > 0 } all when all.InnerExceptions.All(e => e is OptionsValidationException) =>
            [.. all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).Distinct()],
        _ => null,
    };

    /// <summary>The storage failure's one line; <paramref name="endpoint"/> when the caller knows which it tried.</summary>
    public static string StorageMessage(string reason, Uri? endpoint = null) =>
        $"Storage failed or is unreachable{(endpoint is null ? string.Empty : $" at {endpoint.Host}:{endpoint.Port}")}: {reason.TrimEnd('.')}. "
        + $"Check {IAthosSettings.Storage}, that the account exists and this identity may read it (or that Azurite is running); `athos-webhooks doctor` checks each setting.";
}
