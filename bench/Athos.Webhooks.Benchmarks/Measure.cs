using System.Globalization;

namespace Athos.Webhooks.Benchmarks;

/// <summary>Percentiles, and the printed tables: one per scenario, each goal with its measured ratio and PASS/MISS.</summary>
internal static class Measure
{
    private static readonly List<string> Misses = [];

    /// <summary>Goals missed so far in this run (the program's exit code says whether there were any).</summary>
    public static IReadOnlyList<string> Missed => Misses;

    public static double Percentile(IReadOnlyList<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    public static string Ms(double milliseconds) => milliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Rate(double perSecond) => perSecond.ToString("0", CultureInfo.InvariantCulture) + "/s";

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    public static void Header(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine("| Measure | Value | Goal | Result |");
        Console.WriteLine("| --- | --- | --- | --- |");
    }

    /// <summary>A figure with no goal of its own.</summary>
    public static void Row(string what, string value) => Console.WriteLine($"| {what} | {value} | | |");

    /// <summary>A goal: <paramref name="measured"/> must be at most <paramref name="limit"/>.</summary>
    public static void AtMost(string what, double measured, double limit, string? detail = null) =>
        Goal(what, measured, $"≤ {Number(limit)}", measured <= limit, detail);

    /// <summary>A goal: <paramref name="measured"/> must be at least <paramref name="limit"/>.</summary>
    public static void AtLeast(string what, double measured, double limit, string? detail = null) =>
        Goal(what, measured, $"≥ {Number(limit)}", measured >= limit, detail);

    private static void Goal(string what, double measured, string goal, bool met, string? detail)
    {
        if (!met)
        {
            Misses.Add($"{what}: {Number(measured)} (goal {goal})");
        }

        Console.WriteLine($"| {what} | {Number(measured)}{(detail is null ? string.Empty : $" ({detail})")} | {goal} | {(met ? "PASS" : "MISS")} |");
    }
}
