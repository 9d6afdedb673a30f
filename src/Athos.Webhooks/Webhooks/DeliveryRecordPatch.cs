using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// The columns of a <see cref="DeliveryRecord"/> merged on their own: only the properties set are written (a null one is
/// left out of the merge). <see cref="DeliveryRecord"/> itself cannot say that: its times are not nullable, so a merge
/// of it would write them too.
/// </summary>
internal sealed class DeliveryRecordPatch : TableRow
{
    /// <summary>Why the latest attempt failed, at most 1,000 characters.</summary>
    public string? LastError { get; set; }
}
