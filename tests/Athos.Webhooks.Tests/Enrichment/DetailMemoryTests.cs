using System.Text;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// One work item holds a detail body at most twice (the bytes as read, and the archive's copy when the recording link
/// is blanked): a transcript of megabytes is not copied into the model as well. Run alone: the measurement is the
/// whole process's allocations.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class DetailMemoryTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_4_MB_detail_is_fetched_archived_and_projected_allocating_about_two_copies_of_it()
    {
        await storage.ResetAsync();
        var body = LargeDetail("athos_call_large", turns: 20_000);
        var warmUp = LargeDetail("athos_call_warm", turns: 20_000);
        await using var athos = await ScriptedAthos.StartAsync(_ => """{"data":[],"nextCursor":null}""", id => id == "athos_call_large" ? body : id == "athos_call_warm" ? warmUp : null);
        await using var app = await TestApp.StartAsync(null, storage.Azurite, [("ATHOS_BASE_URL", athos.BaseUrl.ToString()), ("ATHOS_ARCHIVE_RECORDINGS", "false")]);
        var item = WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse("athos_call_large") });
        var processor = app.Get<WorkItemProcessor>();

        // The first item, as large, pays for connections, code paths, pools and caches made once per process: not the body's copies.
        await processor.ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse("athos_call_warm") }), "msg-warm", 1, TestContext.Current.CancellationToken);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var outcome = await processor.ProcessAsync(item, "msg-large", 1, TestContext.Current.CancellationToken);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        TestContext.Current.TestOutputHelper?.WriteLine($"a {body.Length:N0}-byte detail: {allocated:N0} bytes allocated ({(double)allocated / body.Length:0.00} bodies)");
        Assert.Equal(WorkOutcome.Stored, outcome);
        Assert.Equal(body, await new TestTables(storage.ConnectionString).BlobAsync("athos_call_large"));
        Assert.True(allocated < (2.5 * body.Length) + (2 * 1024 * 1024), $"a {body.Length:N0}-byte detail allocated {allocated:N0} bytes; about two copies are expected");
    }

    private static byte[] LargeDetail(string id, int turns)
    {
        var transcript = string.Join(',', Enumerable.Range(0, turns).Select(i => $$"""{"role":"{{(i % 2 == 0 ? "agent" : "beneficiary")}}","content":"Turn {{i}}: the plan's network, its drug formulary and the monthly premium, once more in detail.","startTime":{{i * 4}}}"""));
        return Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","source":"roleplay","externalUserId":"rep_1","externalAgencyId":null,"drillKey":"ma-full-sale","startedAt":"2026-06-05T14:00:00.000Z","endedAt":"2026-06-05T15:00:00.000Z","durationSec":3600,"scoredAt":"2026-06-05T15:01:00.000Z","status":"scored","transcript":[{{transcript}}],"score":{"overallScore":81,"summary":"s","feedback":"f"},"audioUrl":null,"audioUrlExpiresAt":null,"waveform":null,"createdAt":"2026-06-05T14:00:01.000Z","updatedAt":"2026-06-05T15:01:00.100Z"}""");
    }
}
