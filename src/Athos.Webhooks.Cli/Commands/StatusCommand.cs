using System.CommandLine;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Health;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>status [--since 30m|2h|7d|ISO] [--format table|json]</c>: one command for whoever is on call. From storage: the
/// queue, parked items, the last reconcile against its schedule, the freshness of the newest rows (what
/// <c>GET /api/athos/health</c> reads, by the same code); from Athos: whether every call it lists as scored in the window
/// is stored current. Exit 0 healthy, 1 degraded, 3 cannot tell (Athos or storage unreachable), 2 bad arguments or
/// settings.
/// </summary>
internal static class StatusCommand
{
    public const int Healthy = 0;
    public const int Degraded = 1;
    public const int Usage = CliFailures.BadSettings;
    public const int Unknown = 3;

    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "The completeness window: a duration back from now (30m, 2h, 7d) or an ISO 8601 time. Default 24h." };
        var command = new Command("status", "Is the pipeline healthy? Queue, parked items, last reconcile, freshness, and the calls Athos lists against the stored ones: exit 0 healthy, 1 degraded, 3 cannot tell.") { since };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, _) =>
        {
            using var stop = new ConsoleCancellation();
            return await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(since), format.GetValue(parse), TimeProvider.System, stop.Token);
        });
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string? sinceText, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        sinceText ??= "24h";
        if (!TimeArgument.TryParse(sinceText, now, out var since) || since > now)
        {
            await error.WriteLineAsync($"--since must be a duration back from now (30m, 2h, 7d) or an ISO 8601 time in the past; got '{sinceText}'.");
            return Usage;
        }

        await using var services = CliServices.BuildQuick(configuration);
        try
        {
            var report = await CheckAsync(services, since, now, cancellationToken);
            StatusOutput.Write(output, report, format);
            return report.ExitCode;
        }
        catch (Exception ex) when (CliFailures.SettingsFailures(ex) is not null)
        {
            // Usage is CliFailures.BadSettings: 2 for arguments and settings alike.
            return await CliFailures.ReportAsync(ex, error);
        }
    }

    private static async Task<StatusReport> CheckAsync(IServiceProvider services, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var health = await services.GetRequiredService<PipelineHealth>().CheckAsync(cancellationToken);
        if (health.Summary is not { } summary)
        {
            // Storage could not be read: nothing else can be judged.
            return new StatusReport(StatusReport.Unknown, Unknown, now, since, health.Reasons, null, null, null, null, null);
        }

        var reasons = new List<string>(health.Reasons);
        var reconcile = new StatusReconcile(
            summary.LastSuccessAt,
            health.Reconcile?.AgeSeconds,
            health.Reconcile?.MaxAgeSeconds ?? 0,
            health.Reconcile?.LastRunStatus,
            summary.LastRun?.StartedAt,
            summary.LastRun?.EndedAt,
            summary.Contract?.ToStorageName(),
            summary.LastRun?.Listed ?? 0,
            summary.LastRun?.Missing ?? 0,
            summary.LastRun?.Stale ?? 0,
            summary.LastRun?.Queued ?? 0,
            summary.LastRun?.Pending ?? 0,
            summary.LastRun?.SkippedIds ?? 0,
            summary.LastRun?.Error,
            [.. (summary.LastRun?.Sources ?? []).Select(StatusSourceRun.Of)]);

        RowFreshness? freshness;
        StatusCompleteness? completeness = null;
        string? unknown = null;
        try
        {
            freshness = await services.GetRequiredService<NewestRows>().CheckAsync(now, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            freshness = null;
            unknown = $"storage failed while reading the newest rows: {CliFailures.FirstLine(ex)}";
        }

        if (unknown is null)
        {
            try
            {
                var found = await services.GetRequiredService<CompletenessCheck>().CheckAsync(since, now, summary.Contract, cancellationToken);
                completeness = new StatusCompleteness(
                    found.Since,
                    found.Until,
                    found.InFlightGrace.TotalSeconds,
                    found.Sources.Sum(s => s.Listed),
                    found.Sources.Sum(s => s.Current),
                    found.Missing,
                    found.Stale,
                    found.Sources.Sum(s => s.InFlight),
                    found.Sources,
                    found.Incomplete);
                if (!found.IsComplete)
                {
                    reasons.Add($"{found.Missing} call(s) missing and {found.Stale} stale of the {completeness.Listed} Athos lists as scored since {since:u}");
                }
            }
            catch (AthosApiException ex)
            {
                unknown = ex.Kind == AthosErrorKind.Configuration
                    ? $"Athos refused the request ({ex.Status} {ex.ErrorCode}): check ATHOS_API_KEY and ATHOS_BASE_URL; while this lasts no call can be fetched"
                    : $"Athos could not be asked for its list: {ex.Message}";
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                unknown = $"storage failed during the completeness check: {CliFailures.FirstLine(ex)}";
            }
        }

        var (status, exit) = unknown is not null ? (StatusReport.Unknown, Unknown)
            : reasons.Count > 0 ? (StatusReport.Degraded, Degraded)
            : (StatusReport.Healthy, Healthy);
        if (unknown is not null)
        {
            reasons.Insert(0, "cannot tell: " + unknown);
        }

        return new StatusReport(status, exit, now, since, reasons, health.Queue, health.Parked, reconcile, freshness, completeness);
    }
}
