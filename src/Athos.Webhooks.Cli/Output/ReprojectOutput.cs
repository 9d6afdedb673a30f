using System.Globalization;
using System.Text.Json;

namespace Athos.Webhooks.Cli.Output;

/// <summary>How <c>reproject</c> prints its counts: one line for people (also its progress line), or its JSON as the handler returned it.</summary>
internal static class ReprojectOutput
{
    public static void Write(TextWriter output, JsonElement done, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, done);
            return;
        }

        output.WriteLine(Line(done) + ". Done.");
    }

    public static string Line(JsonElement counts) =>
        string.Create(CultureInfo.InvariantCulture, $"scanned {counts.Int("scanned"):N0} · rewritten {counts.Int("rewritten"):N0} · already current {counts.Int("current"):N0} · unreadable {counts.Int("unreadable"):N0}");
}
