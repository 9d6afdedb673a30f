using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// The queue settings of host.json (<c>extensions.queues</c>), with the Functions host's defaults and limits. Both hosts
/// read the same file: the Functions host to drive its queue trigger, this code to know which attempt is the last
/// (<see cref="MaxDequeueCount"/>) and, in the local runner, to behave as the trigger does (<see cref="HostJson"/>).
/// </summary>
[SettingsFile(HostJson.QueuesBlock)]
internal sealed class QueueOptions
{
    /// <summary>Messages taken per receive; a Storage queue hands out at most 32 at once.</summary>
    [SettingRange(1, 32)]
    [ConfigurationKeyName("batchSize")]
    public int BatchSize { get; set; } = 16;

    /// <summary>How few messages may be in flight before the next batch is taken; absent, half of <see cref="BatchSize"/>.</summary>
    [SettingRange(0, int.MaxValue, Requirement = "a whole number of at least 0")]
    [ConfigurationKeyName("newBatchThreshold")]
    public int NewBatchThreshold { get; set; } = 8;

    [SettingRange("00:00:00.100", Requirement = "a duration of at least 00:00:00.100, such as 00:00:02")]
    [ConfigurationKeyName("maxPollingInterval")]
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before its next attempt (a Storage queue allows up to 7 days).</summary>
    [SettingRange("00:00:00", "7.00:00:00", Requirement = "a duration between 00:00:00 and 7.00:00:00, such as 00:01:00")]
    [ConfigurationKeyName("visibilityTimeout")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Attempts per message; on the last one the processor parks the item rather than let it go to poison.</summary>
    [SettingRange(1, int.MaxValue, Requirement = "a whole number of at least 1")]
    [ConfigurationKeyName("maxDequeueCount")]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>
    /// host.json's <c>functionTimeout</c> (at its root, read by <see cref="HostJson"/>): how long one work item may run
    /// before the host gives up on it (the Functions host; the local runner enforces it alike). Absent, the Flex
    /// Consumption default of 30 minutes.
    /// </summary>
    [ConfigurationKeyName(HostJson.FunctionTimeoutKey)]
    public TimeSpan FunctionTimeout { get; set; } = HostJson.DefaultFunctionTimeout;

    /// <summary>
    /// What a step that can stop part-way and resume (a recording's copy) may take of one attempt: the function timeout
    /// less a quarter of it, at most a minute, kept for what precedes and follows the step.
    /// </summary>
    internal TimeSpan AttemptBudget => FunctionTimeout - TimeSpan.FromTicks(Math.Min(FunctionTimeout.Ticks / 4, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>How the trigger decodes a message: work items are written base64-encoded, so nothing else can read them.</summary>
    [SettingValue("base64", "work items are written base64-encoded")]
    [ConfigurationKeyName("messageEncoding")]
    public string MessageEncoding { get; set; } = "base64";
}
