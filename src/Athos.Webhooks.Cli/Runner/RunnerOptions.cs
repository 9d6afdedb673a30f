using Athos.Webhooks.Settings;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>The local runner's own settings, which the Functions app does not have.</summary>
internal sealed class RunnerOptions
{
    public const string MessageLeaseSetting = "ATHOS_RUNNER_MESSAGE_LEASE";

    /// <summary>
    /// How long a received message stays hidden while it is processed (renewed at half-time); a crashed runner's
    /// messages reappear after this long.
    /// </summary>
    [SettingRange("00:00:02", Requirement = "a duration of at least 00:00:02, such as 00:01:00")]
    [ConfigurationKeyName(MessageLeaseSetting)]
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(1);
}
