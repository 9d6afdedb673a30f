namespace Athos.Webhooks.Cli.Runner;

/// <summary>The local runner's own settings, which the Functions app does not have.</summary>
internal sealed class RunnerOptions
{
    public const string MessageLeaseSetting = "ATHOS_RUNNER_MESSAGE_LEASE";

    /// <summary>The shortest lease: it is renewed at half-time, and a renewal is a storage request.</summary>
    public static readonly TimeSpan MinMessageLease = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a received message stays hidden while it is processed (renewed at half-time); a crashed runner's
    /// messages reappear after this long. At least <see cref="MinMessageLease"/> (<see cref="RunnerOptionsValidator"/>).
    /// </summary>
    [ConfigurationKeyName(MessageLeaseSetting)]
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(1);
}
