using System.CommandLine;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Hosting;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>serve</c>: the local runner. With <c>--demo</c> (or when <c>ATHOS_API_KEY</c> is not set and <c>--demo</c> is
/// asked for by the run script) it also runs the Athos simulator, generating calls and delivering signed webhooks,
/// some dropped, so that the reconciler visibly recovers them. The demo writes simulated calls and takes the reconcile
/// lease, so it refuses any storage but the local emulator unless <c>--demo-storage-anywhere</c> is given.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"Where the webhook endpoint listens (default ASPNETCORE_URLS, else {LocalRunner.DefaultUrl})." };
        var demo = new Option<bool>("--demo") { Description = "Run against a built-in Athos simulator that generates calls and delivers webhooks (20% dropped). Only on the local storage emulator, unless --demo-storage-anywhere." };
        var rate = new Option<double>("--demo-rate") { Description = "With --demo: new calls per minute.", DefaultValueFactory = _ => 12 };
        var anywhere = new Option<bool>(DemoStorage.AnywhereFlag) { Description = "With --demo: write simulated calls (and take the reconcile lease) in whatever storage AzureWebJobsStorage names, even a real account." };
        var command = new Command("serve", "Run the whole pipeline locally: the webhook endpoint, the queue worker (host.json settings) and the reconciler on its schedule.") { urls, demo, rate, anywhere };
        command.SetAction(async (parse, _) => await RunAsync(parse.GetValue(urls), parse.GetValue(demo), parse.GetValue(rate), parse.GetValue(anywhere)));
        return command;
    }

    private static async Task<int> RunAsync(string? urls, bool demo, double demoRate, bool demoStorageAnywhere)
    {
        AthosSimulator? simulator = null;
        Dictionary<string, string?>? settings = null;
        if (demo)
        {
            // Checked before anything starts: a demo on a real account would take its reconcile lease and write simulated calls.
            var storage = DemoStorage.Resolve(new ConfigurationBuilder().AddEnvironmentVariables().Build(), out var identityBased);
            if (!demoStorageAnywhere && DemoStorage.RefusalReason(storage) is { } reason)
            {
                await Console.Error.WriteLineAsync(DemoStorage.Refusal(reason));
                return ExitCodes.Usage;
            }

            simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = Environment.TickCount, Contract = Athos.Simulator.AthosContract.Current });
            simulator.Faults.WebhookDropRate = 0.2;
            simulator.Faults.WebhookDuplicateRate = 0.05;
            settings = new Dictionary<string, string?>
            {
                [IAthosSettings.AthosBaseUrl] = simulator.BaseUrl.ToString(),
                [IAthosSettings.AthosApiKey] = simulator.ApiKey,
                [IAthosSettings.WebhookSecret] = simulator.WebhookSecret,
                // Every 20 seconds, so that dropped webhooks are visibly recovered within a minute.
                [IAthosSettings.ReconcileSchedule] = "*/20 * * * * *",
            };

            // Identity-based settings are read from the environment as they are; only "nothing set" means the emulator.
            if (!identityBased)
            {
                settings[IAthosSettings.Storage] = storage;
            }
        }

        try
        {
            // Settings are validated as the host starts (host.json as it is built); each failure names its setting.
            WebApplication built;
            try
            {
                built = LocalRunner.Build(urls, settings);
            }
            catch (Exception ex) when (CliFailures.IsReportable(ex))
            {
                return await CliFailures.ReportAsync(ex, Console.Error);
            }

            await using var app = built;
            try
            {
                await app.StartAsync();
            }
            catch (Exception ex) when (CliFailures.IsReportable(ex))
            {
                return await CliFailures.ReportAsync(ex, Console.Error);
            }

            var webhookUrl = LocalRunner.WebhookUrl(app);
            var keys = LocalRunner.KeysOf(app);
            Console.WriteLine();
            Console.WriteLine($"Webhook endpoint: POST {webhookUrl}");
            foreach (var line in keys.Announcement())
            {
                Console.WriteLine(line);
            }

            Console.WriteLine($"Stored calls:     ./eng/athos-webhooks calls list --day {CliServices.Time.GetUtcNow():yyyy-MM-dd}   (or --rep <externalUserId>, or calls show <callId>)");
            using var stop = new CancellationTokenSource();
            Task traffic = Task.CompletedTask;
            if (simulator is not null)
            {
                Console.WriteLine($"Demo: a simulated Athos at {simulator.BaseUrl} delivers signed webhooks here, 20% of them dropped;");
                Console.WriteLine("      the reconciler (every 20 s) finds the dropped calls in the list endpoint and fetches them.");
                Console.WriteLine($"Status:           ATHOS_BASE_URL={simulator.BaseUrl} ATHOS_API_KEY={simulator.ApiKey} ATHOS_RECONCILE_SCHEDULE='{settings![IAthosSettings.ReconcileSchedule]}' ./eng/athos-webhooks status");
                var health = new Uri(webhookUrl, AthosHttpEndpoints.HealthPath);
                Console.WriteLine(keys.FunctionGenerated
                    ? $"Health:           curl -H 'x-functions-key: {keys.Function}' {health}"
                    : $"Health:           curl -H \"x-functions-key: ${AdminKeyOptions.FunctionSetting}\" {health}");
                simulator.Webhooks.Target = webhookUrl;
                var now = CliServices.Time.GetUtcNow();
                simulator.AddCalls(40, now.AddHours(-3), now.AddMinutes(-3));
                traffic = DemoTraffic.GenerateAsync(simulator, demoRate, stop.Token);
            }

            Console.WriteLine("Ctrl-C stops everything this command started.");
            Console.WriteLine();
            await app.WaitForShutdownAsync();
            await stop.CancelAsync();
            await traffic;
            return ExitCodes.Ok;
        }
        finally
        {
            if (simulator is not null)
            {
                await simulator.DisposeAsync();
            }
        }
    }
}
