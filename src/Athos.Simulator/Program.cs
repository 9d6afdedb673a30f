using System.Globalization;
using System.Runtime.InteropServices;
using Athos.Simulator;

// Standalone simulator: `dotnet run --project src/Athos.Simulator -- --urls http://127.0.0.1:5080 --calls 200 --contract current`.
Dictionary<string, string> settings;
SimulatorOptions options;
int callCount;
try
{
    settings = ParseArguments(args);
    options = new SimulatorOptions
    {
        Seed = Get(settings, "seed", 1),
        ApiKey = settings.GetValueOrDefault("api-key") ?? new SimulatorOptions().ApiKey,
        WebhookSecret = settings.GetValueOrDefault("webhook-secret") ?? new SimulatorOptions().WebhookSecret,
        Contract = GetContract(settings),
    };
    callCount = Get(settings, "calls", 100);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

var url = settings.GetValueOrDefault("urls") ?? "http://127.0.0.1:5080";

await using var simulator = await AthosSimulator.StartAsync(options, url);
var now = simulator.Time.GetUtcNow();
var calls = simulator.AddCalls(callCount, now.AddDays(-3), now.AddMinutes(-5));
Console.WriteLine($"Athos simulator: {simulator.BaseUrl}");
Console.WriteLine($"  API key         {simulator.ApiKey}");
Console.WriteLine($"  webhook secret  {simulator.WebhookSecret}");
Console.WriteLine($"  contract        {simulator.Options.Contract.ToString().ToLowerInvariant()}");
Console.WriteLine($"  calls           {calls.Count} (ended over the last 3 days)");
Console.WriteLine("Press Ctrl-C to stop.");

var stop = new TaskCompletionSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
await stop.Task;
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

static Dictionary<string, string> ParseArguments(string[] args)
{
    var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
        {
            throw new ArgumentException($"Expected --name value pairs; '{args[i]}' has no value. Options: --urls, --seed, --calls, --contract, --api-key, --webhook-secret.");
        }

        settings[args[i][2..]] = args[++i];
    }

    return settings;
}

static int Get(Dictionary<string, string> settings, string name, int fallback) =>
    !settings.TryGetValue(name, out var text) ? fallback
    : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
    : throw new ArgumentException($"--{name} must be an integer; got '{text}'.");

static AthosContract GetContract(Dictionary<string, string> settings) =>
    settings.GetValueOrDefault("contract") switch
    {
        null or "early" => AthosContract.Early,
        "current" => AthosContract.Current,
        var text => throw new ArgumentException($"--contract must be early or current; got '{text}'."),
    };
