using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// Records that Athos spoke the current contract when enrichment first sees it in a detail, so that the reconciler
/// lists real calls even for a tenant that has no roleplay calls to tell it. One write per process, at most.
/// </summary>
internal sealed class ContractObserver(ReconcileStateStore state)
{
    private int _recorded;

    public async Task ObserveAsync(AthosContract contract, CancellationToken cancellationToken)
    {
        if (contract != AthosContract.Current || Interlocked.CompareExchange(ref _recorded, 1, 0) != 0)
        {
            return;
        }

        try
        {
            await state.SaveContractAsync(contract, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            // Not recorded this time: the next detail tries again.
            Volatile.Write(ref _recorded, 0);
        }
    }
}
