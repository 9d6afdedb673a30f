using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// Reads the reconcile run log for runs that held the reconcile lock at the same time: what "never two reconcile runs at
/// once" means, checked on every run on record rather than the last.
/// </summary>
internal static class ReconcileRunOverlaps
{
    /// <summary>
    /// Each pair of runs whose times overlap, described. A run without an end (its host was killed, or storage went away
    /// before it could record its end) is taken to have lasted until its host started its next run (a host runs one at a
    /// time), else until its host was killed (<paramref name="killedAt"/>, by instance id), else until
    /// <paramref name="readAt"/>: the longest it can have lasted.
    /// </summary>
    internal static IReadOnlyList<string> Find(IReadOnlyList<ReconcileRunRow> runs, IReadOnlyDictionary<string, DateTimeOffset> killedAt, DateTimeOffset readAt)
    {
        var spans = runs
            .Select(run => (Run: run, End: run.EndedAt
                ?? runs.Where(r => r.InstanceId == run.InstanceId && r.StartedAt > run.StartedAt).Select(r => (DateTimeOffset?)r.StartedAt).Min()
                ?? (killedAt.TryGetValue(run.InstanceId, out var killed) ? killed : readAt)))
            .OrderBy(s => s.Run.StartedAt)
            .ToList();
        var overlaps = new List<string>();
        for (var i = 0; i < spans.Count; i++)
        {
            foreach (var later in spans.Skip(i + 1).TakeWhile(s => s.Run.StartedAt < spans[i].End))
            {
                overlaps.Add($"{Describe(spans[i])} and {Describe(later)}");
            }
        }

        return overlaps;
    }

    /// <summary>The instance id the run log records for <paramref name="processId"/> on this machine.</summary>
    internal static string InstanceOf(int processId) => $"{Environment.MachineName}/{processId}";

    private static string Describe((ReconcileRunRow Run, DateTimeOffset End) span) =>
        $"{span.Run.InstanceId} {span.Run.StartedAt:HH:mm:ss.fff}–{span.End:HH:mm:ss.fff}{(span.Run.EndedAt is null ? " (no end recorded)" : string.Empty)}";
}
