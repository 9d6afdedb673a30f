using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Tests.Functions;

/// <summary>
/// Core Tools cannot run here, so the bindings the Functions host will read are checked where they are made: the
/// project is published (<c>dotnet publish</c>, which builds it) and the generated <c>functions.metadata</c> is compared
/// with the code's constants; the publish output must hold what a Flex Consumption deployment runs.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    private static string FunctionsProject => Path.Combine(RepositoryRoot.Path, "src", "Athos.Webhooks.Functions");

    [Fact]
    public async Task The_generated_functions_metadata_binds_every_function_as_the_code_says()
    {
        var metadata = await ReadMetadataAsync();

        // Every [Function] of the assembly, and nothing else, with its trigger as the code's constants name it.
        var declared = typeof(FunctionsAppComposition).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .Order()
            .ToList();
        Assert.Equal(declared, metadata.Keys.Order());
        Assert.Equal(Expected.Keys.Order(), metadata.Keys.Order());

        foreach (var (name, expected) in Expected)
        {
            var function = metadata[name];
            Assert.Equal("Athos.Webhooks.Functions.dll", function.GetProperty("scriptFile").GetString());
            Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
            var trigger = Assert.Single(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("direction").GetString() == "In");
            Assert.Equal(expected.Type, trigger.GetProperty("type").GetString());
            Assert.Equal(expected.AuthLevel, Text(trigger, "authLevel"));
            Assert.Equal(expected.Methods, trigger.TryGetProperty("methods", out var methods) ? string.Join(",", methods.EnumerateArray().Select(m => m.GetString())) : null);
            Assert.Equal(expected.Route, Text(trigger, "route"));
            Assert.Equal(expected.QueueName, Text(trigger, "queueName"));
            Assert.Equal(expected.Connection, Text(trigger, "connection"));
            Assert.Equal(expected.Schedule, Text(trigger, "schedule"));

            // The entry point is a method of the app.
            var entryPoint = function.GetProperty("entryPoint").GetString()!;
            var type = typeof(FunctionsAppComposition).Assembly.GetType(entryPoint[..entryPoint.LastIndexOf('.')]);
            Assert.NotNull(type?.GetMethod(entryPoint[(entryPoint.LastIndexOf('.') + 1)..]));
        }
    }

    [Fact]
    public async Task The_publish_output_holds_what_Flex_Consumption_runs_and_host_json_has_no_extension_bundle()
    {
        var output = await Published.Value;

        var worker = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "worker.config.json"), TestContext.Current.CancellationToken)).RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", worker.GetProperty("language").GetString());
        Assert.Equal("Athos.Webhooks.Functions.dll", worker.GetProperty("defaultWorkerPath").GetString());
        Assert.True(File.Exists(Path.Combine(output, "Athos.Webhooks.Functions.dll")));
        Assert.True(File.Exists(Path.Combine(output, "functions.metadata")));

        // The isolated worker ships the host-side extensions it needs in .azurefunctions/: the queue trigger's among them.
        var extensions = Path.Combine(output, ".azurefunctions");
        Assert.True(File.Exists(Path.Combine(extensions, "Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll")), "the queue extension is in .azurefunctions/");
        Assert.True(File.Exists(Path.Combine(extensions, "Microsoft.Azure.WebJobs.Extensions.FunctionMetadataLoader.dll")), "the metadata loader is in .azurefunctions/");
        Assert.True(File.Exists(Path.Combine(extensions, "function.deps.json")));

        // One host.json, published as the repository has it: OpenTelemetry, and no bundle (bundles are for other languages).
        foreach (var hostJson in new[] { Path.Combine(output, "host.json"), Path.Combine(RepositoryRoot.Path, "host.json") })
        {
            var host = JsonDocument.Parse(await File.ReadAllTextAsync(hostJson, TestContext.Current.CancellationToken)).RootElement;
            Assert.False(host.TryGetProperty("extensionBundle", out _), $"{hostJson} has no extensionBundle");
            Assert.Equal("OpenTelemetry", host.GetProperty("telemetryMode").GetString());
        }

        Assert.False(File.Exists(Path.Combine(output, "local.settings.json")), "local settings are never published");
    }

    /// <summary>What each function's trigger must be, from the code's own constants.</summary>
    private static readonly Dictionary<string, Binding> Expected = new()
    {
        ["AthosWebhook"] = new("httpTrigger", AuthLevel: "Anonymous", Methods: "post", Route: Route(WebhookHttpEndpoint.Path)),
        ["AthosWebhookKeyed"] = new("httpTrigger", AuthLevel: "Function", Methods: "post", Route: Route(WebhookHttpEndpoint.KeyedPath)),
        [HealthFunction.Name] = new("httpTrigger", AuthLevel: "Function", Methods: "get", Route: Route(HealthHttpEndpoint.Path)),
        ["StartBackfill"] = new("httpTrigger", AuthLevel: "Admin", Methods: "post", Route: Route(BackfillHttpEndpoint.Path)),
        ["GetBackfill"] = new("httpTrigger", AuthLevel: "Admin", Methods: "get", Route: Route(BackfillHttpEndpoint.Path) + "/{jobId}"),
        ["ProcessCallWork"] = new("queueTrigger", QueueName: StorageNames.CallsQueue, Connection: StorageOptions.Setting),
        ["ParkPoison"] = new("queueTrigger", QueueName: StorageNames.PoisonQueue, Connection: StorageOptions.Setting),
        ["Reconcile"] = new("timerTrigger", Schedule: $"%{ReconcileOptions.ScheduleSetting}%"),
        ["Rescan"] = new("timerTrigger", Schedule: $"%{ReconcileOptions.RescanScheduleSetting}%"),
        ["Housekeeping"] = new("timerTrigger", Schedule: Housekeeping.Schedule),
        ["RosterSync"] = new("timerTrigger", Schedule: $"%{Athos.Webhooks.Roster.RosterOptions.ScheduleSetting}%"),
        ["Export"] = new("timerTrigger", Schedule: $"%{ExportOptions.ScheduleSetting}%"),
    };

    private sealed record Binding(string Type, string? AuthLevel = null, string? Methods = null, string? Route = null, string? QueueName = null, string? Connection = null, string? Schedule = null);

    /// <summary>A path the hosts serve (<c>/api/athos/…</c>) as a Functions route (the host adds <c>/api</c>).</summary>
    private static string Route(string path) => path.StartsWith("/api/", StringComparison.Ordinal) ? path["/api/".Length..] : throw new InvalidOperationException(path);

    private static string? Text(JsonElement element, string name) => element.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static async Task<Dictionary<string, JsonElement>> ReadMetadataAsync()
    {
        var output = await Published.Value;
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "functions.metadata")));
        return document.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    /// <summary><c>dotnet publish</c> of the Functions project, in the configuration these tests were built in.</summary>
    private static async Task<string> PublishAsync()
    {
        var output = Directory.CreateTempSubdirectory("athos-functions-publish-").FullName;
        var configuration = typeof(FunctionsMetadataTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "publish", FunctionsProject, "-c", configuration, "-o", output, "--nologo", "-v", "quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        return output;
    }
}
