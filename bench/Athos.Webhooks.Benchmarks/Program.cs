using Athos.Webhooks.Benchmarks;

// Each scenario starts its own Azurite and simulator, runs once, and prints one Markdown table with its goals; the
// exit code is 1 when a goal was missed.
var scenarios = new Dictionary<string, Func<Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["ack"] = AckBenchmark.RunAsync,
    ["burst"] = BurstBenchmark.RunAsync,
    ["coldstart"] = ColdStartBenchmark.RunAsync,
    ["enrich"] = EnrichmentBenchmark.RunAsync,
    ["reconcile"] = ReconcileBenchmark.RunAsync,
    ["export-changes"] = ChangesExportBenchmark.RunAsync,
    ["current"] = CurrentExportBenchmark.RunAsync,
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

Console.WriteLine();
Console.WriteLine(Measure.Missed.Count == 0 ? "Every goal met." : $"Missed: {string.Join("; ", Measure.Missed)}");
return Measure.Missed.Count == 0 ? 0 : 1;
