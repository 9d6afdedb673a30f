using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>The runner's own settings and host.json (its rules: UnitTests/HostJsonQueueSettingsTests.cs): bad values are named, not thrown as stack traces.</summary>
public sealed class RunnerSettingsTests
{
    [Theory]
    [InlineData("soon", "Failed to convert configuration value 'soon' at 'ATHOS_RUNNER_MESSAGE_LEASE'")]
    [InlineData("00:00:00.500", "ATHOS_RUNNER_MESSAGE_LEASE must be a duration of at least 00:00:02, such as 00:01:00; got 00:00:00.5000000.")]
    public async Task A_bad_message_lease_stops_start_up_naming_it(string lease, string expected)
    {
        var settings = StackSettings.For(null, null);
        settings["ATHOS_RUNNER_MESSAGE_LEASE"] = lease;
        await using var app = LocalRunner.Build("http://127.0.0.1:0", settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.StartsWith(expected, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void The_repository_host_json_gives_the_documented_queue_settings()
    {
        using var services = new ServiceCollection().AddHostJsonQueueSettings(Path.Combine(RepositoryRoot.Path, "host.json")).BuildServiceProvider();
        var settings = services.GetRequiredService<QueueOptions>();

        Assert.Equal(new { BatchSize = 16, NewBatchThreshold = 8, MaxPollingInterval = TimeSpan.FromSeconds(2), VisibilityTimeout = TimeSpan.FromMinutes(1), MaxDequeueCount = 5 }, new { settings.BatchSize, settings.NewBatchThreshold, settings.MaxPollingInterval, settings.VisibilityTimeout, settings.MaxDequeueCount });
    }
}
