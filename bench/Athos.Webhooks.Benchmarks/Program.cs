using Athos.Webhooks.Benchmarks;

// Each scenario starts its own Azurite and simulator, runs once, and prints a Markdown table row set.
var scenarios = new Dictionary<string, Func<Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["ack"] = AckBenchmark.RunAsync,
    ["enrich"] = EnrichmentBenchmark.RunAsync,
    ["reconcile"] = ReconcileBenchmark.RunAsync,
};

var chosen = args.Length == 0 ? [.. scenarios.Keys] : args;
foreach (var name in chosen)
{
    if (!scenarios.TryGetValue(name, out var run))
    {
        await Console.Error.WriteLineAsync($"Unknown scenario '{name}'; choose from {string.Join(", ", scenarios.Keys)}.");
        return 2;
    }

    await run();
}

return 0;
