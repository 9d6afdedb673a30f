using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Storage;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>Waits until an in-process local runner has worked off <c>athos-calls</c>.</summary>
public static class RunnerDrain
{
    public static async Task WaitAsync(WebApplication runner, TimeSpan? timeout = null)
    {
        var queue = new QueueClient(runner.Services.GetRequiredService<IConfiguration>()[StorageOptions.Setting], StorageNames.CallsQueue);
        var worker = runner.Services.GetRequiredService<QueueWorker>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        var quiet = 0;
        while (quiet < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the queue drains within {timeout ?? TimeSpan.FromMinutes(3)}");
            var count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            quiet = count == 0 && worker.InFlight == 0 ? quiet + 1 : 0;
            await Task.Delay(200);
        }
    }
}
