using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The columns of a <see cref="BackfillJob"/> row that are merged on their own, whatever its ETag: only the properties set
/// are written (a null one is left out of the merge). <see cref="BackfillJob"/> itself cannot say that: its counts and
/// times are not nullable, so a merge of it would write them all.
/// </summary>
internal sealed class BackfillJobPatch() : TableRow(BackfillJob.Partition)
{
    /// <summary>Why the latest page failed; the page's work item is retried.</summary>
    public string? LastError { get; set; }

    public bool? NextPageQueued { get; set; }
}
