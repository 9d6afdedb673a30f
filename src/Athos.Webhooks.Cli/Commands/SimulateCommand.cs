using System.CommandLine;
using Athos.Simulator;

namespace Athos.Webhooks.Cli.Commands;

/// <summary><c>simulate</c>: the Athos simulator standalone, optionally generating calls and delivering webhooks.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where the simulator listens.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var seed = new Option<int>("--seed") { Description = "Seeds generated calls and fault decisions.", DefaultValueFactory = _ => 1 };
        var calls = new Option<int>("--calls") { Description = "Calls to create at start, ended over the last three days.", DefaultValueFactory = _ => 100 };
        var deliverTo = new Option<string?>("--deliver-to") { Description = "Deliver signed webhooks for new calls to this URL." };
        var rate = new Option<double>("--rate") { Description = "New calls per minute while running (0: none).", DefaultValueFactory = _ => 0 };
        var drop = new Option<double>("--drop") { Description = "Share of webhooks never sent (0–1)." };
        var duplicate = new Option<double>("--duplicate") { Description = "Share of webhooks sent twice (0–1)." };
        var errors = new Option<double>("--error-rate") { Description = "Share of API requests answered 500/503 (0–1)." };
        var throttle = new Option<double>("--throttle-rate") { Description = "Share of API requests answered 429 with Retry-After (0–1)." };
        var latency = new Option<int>("--latency-ms") { Description = "Added to every API answer, in milliseconds." };
        var apiKey = new Option<string?>("--api-key") { Description = "The API key to accept (default ath_live_simulator)." };
        var secret = new Option<string?>("--webhook-secret") { Description = "The webhook signing secret (default whsec_simulator…)." };
        var contract = new Option<string>("--contract") { Description = "Which Athos contract to speak: early (the public openapi.yaml) or current (the later docs: agent ids, real calls, recordings).", DefaultValueFactory = _ => "early" };
        var command = new Command("simulate", "Run the Athos simulator standalone: the API, generated calls, signed webhooks, fault injection.")
        {
            urls, seed, calls, deliverTo, rate, drop, duplicate, errors, throttle, latency, apiKey, secret, contract,
        };
        command.SetAction(async (parse, _) =>
        {
            foreach (var (option, value) in new[] { (drop, parse.GetValue(drop)), (duplicate, parse.GetValue(duplicate)), (errors, parse.GetValue(errors)), (throttle, parse.GetValue(throttle)) })
            {
                if (value is < 0 or > 1)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"{option.Name} must be between 0 and 1; got {value}.");
                    return ExitCodes.Usage;
                }
            }

            foreach (var (option, value) in new[] { (calls.Name, (double)parse.GetValue(calls)), (rate.Name, parse.GetValue(rate)), (latency.Name, parse.GetValue(latency)) })
            {
                if (value < 0)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"{option} must be 0 or more; got {value}.");
                    return ExitCodes.Usage;
                }
            }

            Uri? deliverTarget = null;
            if (parse.GetValue(deliverTo) is { } targetText && (!Uri.TryCreate(targetText, UriKind.Absolute, out deliverTarget) || deliverTarget.Scheme is not ("https" or "http")))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"--deliver-to must be an absolute http(s) URL; got '{targetText}'.");
                return ExitCodes.Usage;
            }

            AthosContract athosContract;
            switch (parse.GetValue(contract))
            {
                case "early":
                    athosContract = AthosContract.Early;
                    break;
                case "current":
                    athosContract = AthosContract.Current;
                    break;
                case var other:
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"--contract must be early or current; got '{other}'.");
                    return ExitCodes.Usage;
            }

            var options = new SimulatorOptions { Seed = parse.GetValue(seed), Contract = athosContract };
            options.ApiKey = parse.GetValue(apiKey) ?? options.ApiKey;
            options.WebhookSecret = parse.GetValue(secret) ?? options.WebhookSecret;
            await using var simulator = await AthosSimulator.StartAsync(options, parse.GetValue(urls)!, cancellationToken: CancellationToken.None);
            simulator.Faults.WebhookDropRate = parse.GetValue(drop);
            simulator.Faults.WebhookDuplicateRate = parse.GetValue(duplicate);
            simulator.Faults.ServerErrorRate = parse.GetValue(errors);
            simulator.Faults.ThrottleRate = parse.GetValue(throttle);
            simulator.Faults.Latency = TimeSpan.FromMilliseconds(parse.GetValue(latency));
            simulator.Webhooks.Target = deliverTarget;
            var now = CliServices.Time.GetUtcNow();
            simulator.AddCalls(parse.GetValue(calls), now.AddDays(-3), now.AddMinutes(-5));
            Console.WriteLine($"Athos simulator at {simulator.BaseUrl}");
            Console.WriteLine($"  ATHOS_BASE_URL={simulator.BaseUrl}");
            Console.WriteLine($"  ATHOS_API_KEY={simulator.ApiKey}");
            Console.WriteLine($"  ATHOS_WHSEC={simulator.WebhookSecret}");
            Console.WriteLine($"  contract: {parse.GetValue(contract)}");
            Console.WriteLine($"  {simulator.Calls.Count} calls{(simulator.Webhooks.Target is { } target ? $"; webhooks to {target}" : string.Empty)}. Ctrl-C stops.");
            using var stop = new ConsoleCancellation();
            await DemoTraffic.GenerateAsync(simulator, parse.GetValue(rate), stop.Token);
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>New calls at a steady rate, each delivered as a webhook when the simulator has a target.</summary>
internal static class DemoTraffic
{
    public static async Task GenerateAsync(AthosSimulator simulator, double callsPerMinute, CancellationToken cancellationToken)
    {
        try
        {
            if (callsPerMinute <= 0)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1 / callsPerMinute), simulator.Time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // Ended long enough ago that Athos has scored it by now.
                simulator.Calls.Add(simulator.Generator.Generate(simulator.Time.GetUtcNow().AddSeconds(-150)));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
