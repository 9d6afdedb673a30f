using Athos.Webhooks.Hosting;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// What the local runner's queue worker obeys: host.json's queue block (<see cref="IRunnerPlatform"/>, as the Functions
/// trigger does) and the runner's own message lease (<see cref="RunnerOptions"/>).
/// </summary>
internal sealed record QueueWorkerSettings(IRunnerPlatform Queue, TimeSpan MessageLease);
