using System.Globalization;
using Athos.Webhooks.Enrichment;

namespace Athos.Webhooks.Operations;

/// <summary>How <c>reproject</c> prints its counts: one line for people (also its progress line), or one JSON object.</summary>
internal static class ReprojectOutput
{
    public static void Write(TextWriter output, ReprojectProgress done, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, new ReprojectReport(done.Scanned, done.Rewritten, done.Current, done.Unreadable), OperationsJsonContext.Default.ReprojectReport);
            return;
        }

        output.WriteLine(Line(done) + ". Done.");
    }

    public static string Line(ReprojectProgress p) =>
        string.Create(CultureInfo.InvariantCulture, $"scanned {p.Scanned:N0} · rewritten {p.Rewritten:N0} · already current {p.Current:N0} · unreadable {p.Unreadable:N0}");
}

/// <summary>What <c>reproject --format json</c> prints: the archive blobs scanned, the rows rewritten, those already current, and the blobs that could not be read.</summary>
internal sealed record ReprojectReport(int Scanned, int Rewritten, int Current, int Unreadable);
