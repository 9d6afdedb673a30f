using System.CommandLine;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Settings;
using Athos.Webhooks.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>doctor</c>: checks every setting with the validators start-up runs, then storage, the queues, tables and
/// containers, and the API key; one line per check saying what to fix; exits non-zero if any check fails.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the settings, storage, the Athos API key and the webhook secret; one line per check, non-zero exit on any failure.");
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, ct) => await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, format.GetValue(parse), ct));
        return command;
    }

    public static Task<int> RunAsync(IConfiguration configuration, TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(configuration, output, OutputFormat.Table, cancellationToken);

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, OutputFormat format, CancellationToken cancellationToken)
    {
        await using var services = CliServices.BuildQuick(configuration);
        var report = new Report(new DoctorOutput(output, format));

        // The validators start-up runs, each settings class in turn: doctor says exactly what `serve` or the Functions
        // host would stop on, and no more.
        var settings = services.GetRequiredService<IAthosSettings>();
        var athosOk = report.Settings(settings.CheckAthosApi(), "Athos API settings (ATHOS_API_KEY, ATHOS_BASE_URL, ATHOS_HTTP_*)");
        report.Settings(settings.CheckWebhook(), "webhook settings (ATHOS_WHSEC, ATHOS_WHSEC_PREVIOUS, ATHOS_WEBHOOK_*)");
        report.Settings(settings.CheckReconcile(), "reconciler settings (ATHOS_RECONCILE_*, ATHOS_SOURCES)");
        report.Settings(settings.CheckEnrichment(), "enrichment settings (ATHOS_STORE_TRANSCRIPTS, ATHOS_ARCHIVE_RECORDINGS, ATHOS_RECORDING_MAX_BYTES)");
        report.Settings(settings.CheckChangeFeed(), "change feed settings (ATHOS_CHANGE_RETENTION)");
        report.Settings(settings.CheckErasure(), $"erasure settings ({IAthosSettings.TombstoneRetention})");
        report.Settings(settings.CheckRoster(), "roster settings (ATHOS_ROSTER_*)");
        report.Settings(settings.CheckExport(), "analytics export settings (ATHOS_EXPORT_*)");
        var storageOk = report.Settings(settings.CheckStorage(), "storage setting (AzureWebJobsStorage)");
        await using (var runner = new ServiceCollection().AddSettings<RunnerOptions, RunnerOptionsValidator>(configuration, static (settings, options) => settings.Bind(options)).Services.BuildServiceProvider())
        {
            report.Settings<RunnerOptions>(runner, $"local runner settings ({RunnerOptions.MessageLeaseSetting})");
        }

        report.Settings(settings.CheckHostJsonQueues(), "host.json queue settings (extensions.queues)");

        if (storageOk)
        {
            await CheckStorageAsync(services, report, cancellationToken);
        }
        else
        {
            report.Skip("storage checks: AzureWebJobsStorage is not usable");
        }

        if (athosOk)
        {
            await CheckApiKeyAsync(services, report, cancellationToken);
        }
        else
        {
            report.Skip("Athos API check: the Athos settings are not usable");
        }

        report.Output.Complete();
        return report.Output.Failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static async Task CheckStorageAsync(IServiceProvider services, Report report, CancellationToken cancellationToken)
    {
        var queues = services.GetRequiredService<QueueServiceClient>();
        var tables = services.GetRequiredService<TableServiceClient>();
        var blobs = services.GetRequiredService<BlobServiceClient>();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            var existingQueues = new HashSet<string>();
            await foreach (var queue in queues.GetQueuesAsync(cancellationToken: budget.Token))
            {
                existingQueues.Add(queue.Name);
            }

            report.Check(true, $"storage is reachable ({queues.Uri.Host}:{queues.Uri.Port})", string.Empty);
            var existingTables = new HashSet<string>();
            await foreach (var table in tables.QueryAsync(cancellationToken: budget.Token))
            {
                existingTables.Add(table.Name);
            }

            var existingContainers = new HashSet<string>();
            await foreach (var container in blobs.GetBlobContainersAsync(cancellationToken: budget.Token))
            {
                existingContainers.Add(container.Name);
            }

            foreach (var (kind, names, existing) in new[] { ("queue", StorageNames.Queues, existingQueues), ("table", StorageNames.Tables, existingTables), ("container", StorageNames.Containers, existingContainers) })
            {
                var missing = names.Where(n => !existing.Contains(n)).ToList();
                report.Check(missing.Count == 0, $"{kind}s exist: {string.Join(", ", names)}", $"missing {kind}(s): {string.Join(", ", missing)}: redeploy infra/ (Azure) or run `athos-webhooks serve` once (it creates them)");
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || ex.IsStorageFailure())
        {
            report.Check(false, string.Empty, CliFailures.StorageMessage(ex is OperationCanceledException ? "no answer within 15 s" : StorageFailure.FirstLine(ex), queues.Uri));
        }
    }

    private static async Task CheckApiKeyAsync(IServiceProvider services, Report report, CancellationToken cancellationToken)
    {
        var (passed, message) = await services.GetRequiredService<IAthosCheckHandler>().CheckAthosAsync(cancellationToken);
        report.Check(passed, message, message);
    }

    private sealed class Report(DoctorOutput output)
    {
        public DoctorOutput Output => output;

        public bool Settings<T>(IServiceProvider services, string what)
            where T : class
        {
            try
            {
                _ = services.GetRequiredService<IOptions<T>>().Value;
                return Settings([], what);
            }
            catch (Exception ex) when (CliFailures.SettingsFailures(ex) is { } failures)
            {
                return Settings(failures, what);
            }
        }

        /// <summary>Reports what a settings check found (<see cref="IAthosSettings"/>): valid, or each failure on its line.</summary>
        public bool Settings(IReadOnlyList<string> failures, string what)
        {
            if (failures.Count > 0)
            {
                Failed(failures);
                return false;
            }

            Check(true, what + " are valid", string.Empty);
            return true;
        }

        public void Check(bool ok, string success, string failure) => output.Add(ok ? DoctorCheck.Ok : DoctorCheck.Fail, ok ? success : failure);

        private void Failed(IEnumerable<string> failures)
        {
            foreach (var failure in failures)
            {
                Check(false, string.Empty, failure);
            }
        }

        public void Skip(string what) => output.Add(DoctorCheck.Skip, what);
    }
}
