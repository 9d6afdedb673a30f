using System.Globalization;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// What the local runner's queue worker obeys: host.json's queue block (<see cref="QueueOptions"/>, as the Functions
/// trigger does) and the runner's own message lease.
/// </summary>
internal sealed record QueueWorkerSettings(QueueOptions Queue, TimeSpan MessageLease)
{
    public const string MessageLeaseSetting = "ATHOS_RUNNER_MESSAGE_LEASE";

    /// <summary>
    /// The runner's lease: how long a received message stays hidden while it is processed (renewed at half-time); a
    /// crashed runner's messages reappear after this long. <see cref="MessageLeaseSetting"/>, or a minute.
    /// </summary>
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
}
