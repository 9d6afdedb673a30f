using Athos.Webhooks.Exports;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Core;

namespace Athos.Webhooks.Tests.Exports;

/// <summary>
/// A rebuild owed (an erasure; <c>forget --agent</c>) is settled only by a rebuild that began after it: one owed again
/// while a rebuild runs (held by a <see cref="StorageGate"/> before its first pointer, real Azurite) stays owed, and the
/// next run pays it.
/// </summary>
public sealed class RebuildDebtTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly StorageGate _gate = new();
    private ExportStack _stack = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _stack = await ExportStack.StartThroughAsync(storage, _gate);
    }

    public async ValueTask DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_rebuild_owed_again_while_a_rebuild_runs_stays_owed_and_the_next_run_pays_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await _stack.WriteAsync(TestCalls.Scored("athos_call_debt1", 1), TimeSpan.FromHours(1));
        var state = _stack.App.Get<ChangesExportState>();
        await state.OweRebuildAsync(ct);
        var pause = _gate.PauseBeforeRequest("run", request => request.Method == RequestMethod.Put && Uri.UnescapeDataString(request.Uri.Path).EndsWith("/" + StorageNames.ExportsContainer + "/" + ExportPointer.NameOf(CurrentExport.AgentsDataset), StringComparison.Ordinal));
        var run = StorageGate.RunAs("run", () => _stack.ExportAsync());
        await pause.Reached;

        // forget --agent, while the rebuild has read the roster already.
        await state.OweRebuildAsync(ct);
        pause.Release();
        var paid = await run;

        Assert.Equal(ExportSummary.Succeeded, paid.Status);
        Assert.NotNull(paid.Current);
        Assert.True((await state.GetAsync(ct)).RebuildOwed, "the debt owed during the rebuild is still owed");

        var next = await _stack.ExportAsync();
        Assert.Equal(ExportSummary.Succeeded, next.Status);
        Assert.NotNull(next.Current);
        Assert.False((await state.GetAsync(ct)).RebuildOwed, "the next run paid it");
    }
}
