using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Operations;

/// <summary>
/// The operator's commands (<c>athos-webhooks status</c>, <c>verify</c>, <c>reproject</c>, <c>forget</c>, <c>redrive</c>,
/// <c>backfill</c>, <c>calls</c>, and <c>doctor</c>'s Athos check): each does its work, prints its data to <c>output</c>
/// in the chosen <see cref="OutputFormat"/> (a table or JSON; the call lists and the change feed also JSON lines and CSV)
/// and its messages to <c>error</c>, and returns the exit code docs/operations.md gives.
/// A host parses its arguments and calls one method: the reports and how they print are the core's, behind this one
/// type. Each method resolves only the services it uses, so that a command checks only the settings it needs
/// (reading the tables needs no Athos key). Bad settings (<see cref="OptionsValidationException"/>) and storage
/// failures are thrown, for the host to report its one way, except where a report has a place for them (status says
/// it cannot tell, and why).
/// </summary>
public sealed class OperatorCommands
{
    /// <summary>The exit code of a command stopped by Ctrl-C (128 + SIGINT, as a shell reports it).</summary>
    public const int Stopped = 130;

    private readonly IServiceProvider _services;

    internal OperatorCommands(IServiceProvider services) => _services = services;

    /// <summary>
    /// Whether the pipeline is healthy: the queue, parked items, the last reconcile, the freshness of the newest rows, and
    /// every call Athos lists as scored since <paramref name="since"/> against the tables. 0 healthy, 1 degraded, 3 cannot
    /// tell (storage or Athos unreachable).
    /// </summary>
    public async Task<int> StatusAsync(DateTimeOffset since, DateTimeOffset now, OutputFormat format, TextWriter output, CancellationToken cancellationToken)
    {
        TableOrJson(format);
        var report = await StatusCheck.RunAsync(_services, since, now, cancellationToken);
        StatusOutput.Write(output, report, format);
        return report.ExitCode;
    }

    /// <summary>Compares the call tables, archive blobs and changes of the calls written since <paramref name="since"/>, repairing what it finds when asked: 0 consistent, 1 not, 130 stopped.</summary>
    public async Task<int> VerifyAsync(DateTimeOffset since, DateTimeOffset now, bool repair, OutputFormat format, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        TableOrJson(format);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var report = await _services.GetRequiredService<CallConsistencyChecker>().CheckAsync(since, now, cancellationToken);
            List<CallRepair>? repairs = null;
            if (repair)
            {
                var repairer = _services.GetRequiredService<CallConsistencyRepairer>();
                repairs = [];
                foreach (var call in report.Inconsistent)
                {
                    repairs.Add(await repairer.RepairAsync(call, cancellationToken));
                }
            }

            VerifyOutput.Write(output, report, repairs, format);

            // Found is found, repaired or not: a scheduled verify --repair still says that something was wrong.
            return report.IsConsistent ? 0 : 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Stopped before the end: what was repaired stays repaired; run verify again.");
            return Stopped;
        }
    }

    /// <summary>
    /// Rebuilds the call tables from the archive blobs (written since <paramref name="since"/>, or all), resuming an
    /// interrupted run unless <paramref name="restart"/>; its progress line is rewritten on <paramref name="error"/> when
    /// that is a <paramref name="terminal"/>. 0 done, 130 stopped (resumable).
    /// </summary>
    public async Task<int> ReprojectAsync(DateTimeOffset? since, bool restart, OutputFormat format, TextWriter output, TextWriter error, bool terminal, CancellationToken cancellationToken)
    {
        TableOrJson(format);
        ArgumentNullException.ThrowIfNull(error);

        // Progress is a message: on standard error, and only to a terminal (a rewritten line means nothing in a log).
        var progress = new Progress<ReprojectProgress>(p =>
        {
            if (terminal)
            {
                error.Write($"\r{ReprojectOutput.Line(p)}   ");
            }
        });
        try
        {
            var done = await _services.GetRequiredService<CallReprojector>().RunAsync(since, restart, progress, cancellationToken);
            if (terminal)
            {
                await error.WriteLineAsync();
            }

            ReprojectOutput.Write(output, done, format);
            return 0;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"{Environment.NewLine}Stopped; run the same command again to resume where it stopped.");
            return Stopped;
        }
    }

    /// <summary>
    /// Erases one call everywhere it is stored, leaving a tombstone that keeps every path from storing it again, and an
    /// <c>erased</c> change in the feed; says what it removed: 0, or 1 when the call's rows kept changing under it.
    /// </summary>
    public async Task<int> ForgetAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        TableOrJson(format);
        ArgumentNullException.ThrowIfNull(error);
        ErasureReport report;
        try
        {
            report = await _services.GetRequiredService<CallEraser>().EraseAsync(callId, cancellationToken);
        }
        catch (StorageConflictException ex)
        {
            await error.WriteLineAsync($"{ex.Message} Writers of the call are at work: run forget again.");
            return 1;
        }

        ForgetOutput.Write(output, callId.Value, report, format);

        // Advice, not data: on standard error, so that the JSON alone reaches a pipe.
        await error.WriteLineAsync($"Athos keeps its own copy: delete the call there too; the tombstone keeps a reconcile, rescan or backfill that lists it from storing it again only until {report.KeptUntil.UtcDateTime:yyyy-MM-dd} ({ErasureOptions.TombstoneRetentionSetting}).");
        return 0;
    }

    /// <summary>
    /// Lifts an erased call's tombstone (<c>forget --allow-restore</c>), so that the call may be stored again: 0, or 1 when
    /// the call is not erased (no tombstone: nothing to lift) or its row kept changing under it.
    /// </summary>
    public async Task<int> RestoreAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        TableOrJson(format);
        ArgumentNullException.ThrowIfNull(error);
        CallRow? tombstone;
        try
        {
            tombstone = await _services.GetRequiredService<CallEraser>().RestoreAsync(callId, cancellationToken);
        }
        catch (StorageConflictException ex)
        {
            await error.WriteLineAsync($"--allow-restore: {ex.Message} Run it again.");
            return 1;
        }

        if (tombstone is null)
        {
            await error.WriteLineAsync($"--allow-restore: {callId} is not erased ({StorageNames.CallsTable} holds no tombstone for it), so there is nothing to lift; forget erases a call.");
            return 1;
        }

        ForgetOutput.WriteRestored(output, callId.Value, tombstone, format);
        return 0;
    }

    /// <summary>Puts parked work items (and what waits in the poison queue) back on the work queue, or only counts them: 0.</summary>
    public async Task<int> RedriveAsync(bool dryRun, OutputFormat format, TextWriter output, CancellationToken cancellationToken)
    {
        TableOrJson(format);
        var result = await _services.GetRequiredService<ParkedRedrive>().RunAsync(dryRun, cancellationToken);
        RedriveOutput.Write(output, result, dryRun, format);
        return 0;
    }

    /// <summary>
    /// Starts a backfill of the calls that ended between <paramref name="from"/> and <paramref name="to"/> (of
    /// <paramref name="sources"/>, or every configured source) and, when <paramref name="wait"/>, watches it until it
    /// ends, polling every <paramref name="pollEvery"/> (its progress line rewritten on <paramref name="error"/> when that is a
    /// <paramref name="terminal"/>): 0 started, completed or no longer watched, 1 failed, 2 a range that cannot be loaded.
    /// </summary>
    public Task<int> BackfillAsync(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string>? sources, bool wait, TimeSpan pollEvery, bool terminal, OutputFormat format, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        TableOrJson(format);
        return BackfillWatch.RunAsync(_services.GetRequiredService<Backfiller>(), new(from, to, sources, wait, pollEvery, terminal, format), output, error, cancellationToken);
    }

    /// <summary>The stored calls of a rep (their own id, else Athos's agentId), newest first: 0.</summary>
    public Task<int> ListCallsByRepAsync(string rep, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken) =>
        ListCallsAsync(reader => reader.ByRepAsync(rep, top, cancellationToken), format, output);

    /// <summary>The stored calls of a UTC day, newest first: 0.</summary>
    public Task<int> ListCallsByDayAsync(DateOnly day, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken) =>
        ListCallsAsync(reader => reader.ByDayAsync(day, top, cancellationToken), format, output);

    /// <summary>The stored calls of an agency between two UTC days (inclusive), newest first: 0.</summary>
    public Task<int> ListCallsByAgencyAsync(string agency, DateOnly from, DateOnly to, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken) =>
        ListCallsAsync(reader => reader.ByAgencyAsync(agency, from, to, top, cancellationToken), format, output);

    /// <summary>One stored call: 0, or 1 when none is stored under <paramref name="callId"/>.</summary>
    public async Task<int> ShowCallAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        TableOrJson(format);
        ArgumentNullException.ThrowIfNull(error);
        var row = await _services.GetRequiredService<CallReader>().GetAsync(callId.Value, cancellationToken);
        if (row is null)
        {
            await error.WriteLineAsync($"No stored call {callId}.");
            return 1;
        }

        CallOutput.WriteOne(output, row, format);
        return 0;
    }

    /// <summary>
    /// Every change after <paramref name="checkpoint"/> (<see cref="CallChangeFeed"/>), page by page, then
    /// <c>next checkpoint: …</c> on <paramref name="error"/>: 0, 2 when the checkpoint is older than the retention, 3 when
    /// this machine's clock is too far from the storage service's to read safely.
    /// </summary>
    public async Task<int> ReadChangesAsync(string checkpoint, TimeProvider time, OutputFormat format, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        var retention = _services.GetRequiredService<IOptions<ChangeFeedOptions>>().Value.Retention;
        var feed = new CallChangeFeed(_services.GetRequiredService<TableServiceClient>(), time, retention);
        var writer = new ChangeOutput(output, format);
        try
        {
            CallChangePage page;
            do
            {
                page = await feed.ReadChangesAsync(checkpoint, CallChangeFeed.MaxPageSize, cancellationToken);
                writer.Write(page.Changes);
                checkpoint = page.Checkpoint;
            }
            while (page.HasMore);
        }
        catch (CheckpointExpiredException ex)
        {
            await error.WriteLineAsync($"--since: {ex.Message}");
            return 2;
        }
        catch (ClockSkewException ex)
        {
            // Every page is checked before it is printed: no change read up to a wrong bound is printed.
            await error.WriteLineAsync(ex.Message);
            return 3;
        }

        writer.Complete();
        await error.WriteLineAsync($"next checkpoint: {checkpoint}");
        return 0;
    }

    /// <summary>
    /// Whether Athos accepts the configured key: one page of the last 30 days' roleplay calls. Passed, with the contract
    /// Athos speaks; or not, with what to fix, named by setting.
    /// </summary>
    public Task<(bool Passed, string Message)> CheckAthosAsync(CancellationToken cancellationToken) =>
        AthosCheck.RunAsync(
            _services.GetRequiredService<AthosClient>(), _services.GetRequiredService<IOptions<AthosApiOptions>>().Value, _services.GetRequiredService<TimeProvider>(), cancellationToken);

    private async Task<int> ListCallsAsync(Func<CallReader, Task<List<CallRow>>> read, OutputFormat format, TextWriter output)
    {
        var rows = await read(_services.GetRequiredService<CallReader>());
        CallOutput.Write(output, rows, format);
        return 0;
    }

    // A report is a table or one JSON document; only the call lists and the change feed stream (JSON lines, CSV).
    private static void TableOrJson(OutputFormat format)
    {
        if (format is not (OutputFormat.Table or OutputFormat.Json))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "This command prints a table or one JSON document.");
        }
    }
}
