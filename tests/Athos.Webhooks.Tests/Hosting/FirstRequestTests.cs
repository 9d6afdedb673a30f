using System.Net.Http.Headers;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Tests.Functions;
using Athos.Webhooks.Webhooks;
using Azure.Core;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Hosting;

/// <summary>
/// Start-up work stays off the first request's path (docs/architecture.md, "Start-up"): the first webhook after a start,
/// a cold start's, makes no request that creates a queue, table or container. The runner creates them while it starts,
/// before it listens; the Functions app never does (Bicep creates them in Azure).
/// </summary>
public sealed class FirstRequestTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_runner_creates_its_storage_while_it_starts_and_its_first_webhook_creates_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { FailureRate = 0 }, cancellationToken: ct);
        var counter = new StorageRequestCounter();
        await using var runner = await InProcessRunner.StartAsync(StackSettings.For(simulator, storage.Azurite), counter, cancellationToken: ct);
        var atStart = counter.Requests.Count(IsCreate);
        counter.Reset();

        var call = simulator.AddCalls(1, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(-4))[0];
        using var http = new HttpClient();
        var body = WebhookRequests.CallScored(call.Id);
        using var request = new HttpRequestMessage(HttpMethod.Post, LocalRunner.WebhookUrl(runner)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(simulator.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
        request.Headers.Add(WebhookSigner.WebhookIdHeader, "wh_first");
        using var response = await http.SendAsync(request, ct);
        await RunnerDrain.WaitAsync(runner);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(StorageNames.Queues.Count + StorageNames.Tables.Count + StorageNames.Containers.Count, atStart);
        Assert.Contains(counter.Named, r => r == new StorageRequest("POST", $"{StorageNames.CallsQueue}/messages"));
        Assert.Contains(counter.Named, r => r == new StorageRequest("POST", StorageNames.CallsTable));
        Assert.DoesNotContain(counter.Requests, IsCreate);
    }

    [Fact]
    public async Task The_Functions_apps_first_webhook_makes_one_queue_put_and_creates_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await storage.ResetAsync();
        var counter = new StorageRequestCounter();
        using var app = await FunctionsApp.BuildAsync(
            StackSettings.For(null, storage.Azurite),
            services => services.AddAzureClients(azure => azure.ConfigureDefaults(o => o.AddPolicy(counter, HttpPipelinePosition.PerCall))));
        var body = WebhookRequests.CallScored("athos_call_first");
        var request = WebhookRequests.Build(body, WebhookSignature.CreateHeader("whsec_test", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body), "wh_first");

        var answer = await WebhookRequests.ExecuteAsync(await app.Function<AthosWebhookFunction>().RunAsync(request, ct), request);

        Assert.Equal(202, answer.Status);
        Assert.Equal([new StorageRequest("POST", $"{StorageNames.CallsQueue}/messages")], counter.Named);
    }

    // Creating a queue or a container is a PUT on the account's child (Azurite's paths start with the account name);
    // creating a table is a POST to the Tables resource.
    private static bool IsCreate((string Method, Uri Uri) request)
    {
        var segments = request.Uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return (request.Method == "PUT" && segments.Length == 2) || (request.Method == "POST" && segments[^1] == "Tables");
    }
}
