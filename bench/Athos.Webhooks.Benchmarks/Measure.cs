using System.Globalization;

namespace Athos.Webhooks.Benchmarks;

/// <summary>Percentiles and formatting for the printed tables.</summary>
internal static class Measure
{
    public static double Percentile(IReadOnlyList<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    public static string Ms(double milliseconds) => milliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Rate(double perSecond) => perSecond.ToString("0", CultureInfo.InvariantCulture) + "/s";

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static void Row(string what, string value) => Console.WriteLine($"| {what} | {value} |");

    public static void Header(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine("| Measure | Value |");
        Console.WriteLine("| --- | --- |");
    }
}
