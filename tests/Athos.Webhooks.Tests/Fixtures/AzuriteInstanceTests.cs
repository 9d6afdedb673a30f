using Azure.Storage.Queues;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>The test fixture itself: it starts a real Azurite, and says what to install when it cannot.</summary>
public sealed class AzuriteInstanceTests
{
    [Fact]
    public async Task Starts_on_free_ports_and_serves_real_requests_until_stopped()
    {
        await using var azurite = await AzuriteInstance.StartAsync(TestContext.Current.CancellationToken);
        var queue = new QueueClient(azurite.ConnectionString, "probe");

        await queue.CreateAsync(cancellationToken: TestContext.Current.CancellationToken);
        await queue.SendMessageAsync("hello", TestContext.Current.CancellationToken);

        Assert.Equal(1, (await queue.GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
        Assert.All(new[] { azurite.BlobPort, azurite.QueuePort, azurite.TablePort }, port => Assert.InRange(port, 1024, 65535));

        await azurite.StopAsync();
        Assert.False(azurite.IsRunning);
    }

    [Fact]
    public async Task Without_Azurite_installed_it_says_to_run_npm_ci()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AzuriteInstance.StartAsync("node", "/nonexistent/azurite.js", TestContext.Current.CancellationToken));

        Assert.Contains("npm ci", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_Node_it_says_to_install_Node()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AzuriteInstance.StartAsync("node-not-installed-here", AzuriteInstance.DefaultScript, TestContext.Current.CancellationToken));

        Assert.Contains("install Node.js", error.Message, StringComparison.Ordinal);
    }
}
