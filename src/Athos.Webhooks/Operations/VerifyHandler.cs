using System.Text.Json;
using Athos.Webhooks.Enrichment;

namespace Athos.Webhooks.Operations;

/// <summary><c>verify</c>: compares the call tables, archive blobs and changes of the calls written since a time, repairing what it finds when asked.</summary>
public interface IVerifyHandler
{
    /// <summary>How recently a call must have been written for its findings to be reported in flight, not judged: a writer may still be at work on it.</summary>
    TimeSpan SettleTime { get; }

    /// <summary>
    /// Checks (and repairs): the report, as docs/operations.md ("Verifying storage") documents verify's JSON;
    /// <c>consistent</c> is false when something was found, repaired or not.
    /// </summary>
    Task<JsonElement> VerifyAsync(DateTimeOffset since, DateTimeOffset now, bool repair, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IVerifyHandler"/>
internal sealed class VerifyHandler(CallConsistencyChecker checker, CallConsistencyRepairer repairer) : IVerifyHandler
{
    public TimeSpan SettleTime => CallConsistencyChecker.SettleTime;

    public async Task<JsonElement> VerifyAsync(DateTimeOffset since, DateTimeOffset now, bool repair, CancellationToken cancellationToken)
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

        return JsonSerializer.SerializeToElement(VerifyView.Of(report, repairs), OperationsJsonContext.Default.VerifyView);
    }
}
