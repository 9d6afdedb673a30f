
namespace Athos.Webhooks.Storage;

/// <summary>
/// The columns of an <c>AthosCalls</c> row merged on their own, ETag-conditional: only the properties set are written (a
/// null one is left out of the merge). <see cref="CallRow"/> itself cannot say that: its call id, status and schema
/// version are not nullable, so a merge of it would write them too.
/// </summary>
internal sealed class CallRowPatch : TableRow
{
    /// <summary>The row key of the call's change in <c>AthosCallChanges</c> (<see cref="CallRow.ChangeKey"/>).</summary>
    public string? ChangeKey { get; set; }
}
