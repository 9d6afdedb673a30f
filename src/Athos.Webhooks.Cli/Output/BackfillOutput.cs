using System.Text.Json;

namespace Athos.Webhooks.Cli.Output;

/// <summary>How <c>backfill</c> prints a job: its progress line for people, or its JSON as the handler returned it.</summary>
internal static class BackfillOutput
{
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static void Write(TextWriter output, JsonElement job, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, job);
            return;
        }

        output.WriteLine($"Backfill {job.String("jobId")}: {Line(job)}");
        var status = job.String("status");
        if (status == Completed)
        {
            output.WriteLine("Completed.");
        }
        else if (status == Failed)
        {
            output.WriteLine("Failed: the job stopped; its last error is above. Start a new backfill once the cause is fixed.");
        }
    }

    public static string Line(JsonElement job) =>
        $"pages {job.Int("pagesDone")} · listed {job.Int("listed"):N0} · missing {job.Int("missing"):N0} · stale {job.Int("stale"):N0} · queued {job.Int("queued"):N0}{(job.OptionalString("skippedSources") is { } skipped ? " · not listed: " + skipped : string.Empty)}{(job.OptionalString("lastError") is { } error ? " · last error: " + TerminalText.Escape(error) : string.Empty)}";
}
