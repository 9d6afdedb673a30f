using Athos.Webhooks.Enrichment;

namespace Athos.Webhooks.Operations;

/// <summary><c>verify</c>: compares the call tables, archive blobs and changes of the calls written since a time, repairing what it finds when asked.</summary>
public interface IVerifyHandler
{
    /// <summary>Checks (and repairs), printing the report to <paramref name="output"/> and messages to <paramref name="messages"/>: 0 consistent, 1 not, 130 stopped.</summary>
    Task<int> VerifyAsync(DateTimeOffset since, DateTimeOffset now, bool repair, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IVerifyHandler"/>
internal sealed class VerifyHandler(CallConsistencyChecker checker, CallConsistencyRepairer repairer) : IVerifyHandler
{
    public async Task<int> VerifyAsync(DateTimeOffset since, DateTimeOffset now, bool repair, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken)
    {
        OutputFormats.TableOrJson(format);
        ArgumentNullException.ThrowIfNull(messages);
        try
        {
            var report = await checker.CheckAsync(since, now, cancellationToken);
            List<CallRepair>? repairs = null;
            if (repair)
            {
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
            await messages.WriteLineAsync("Stopped before the end: what was repaired stays repaired; run verify again.");
            return OutputFormats.Stopped;
        }
    }
}
