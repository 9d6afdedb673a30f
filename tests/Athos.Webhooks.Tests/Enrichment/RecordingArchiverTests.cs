using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// Recordings copied from Athos's signed, expiring links into <c>athos-recordings</c>: byte for byte, renewed when the
/// link expired, refused over the limit, retried by the rescan, and the link never kept or sent a credential.
/// </summary>
public sealed class RecordingArchiverTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private BlobContainerClient _recordings = null!;
    private TestTables _tables = null!;
    private int _messages;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 707, Contract = Athos.Simulator.AthosContract.Current, FailureRate = 0 });
        _recordings = new BlobContainerClient(storage.ConnectionString, StorageNames.RecordingsContainer);
        _tables = new TestTables(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task A_recording_is_archived_byte_for_byte_and_its_link_is_stored_nowhere()
    {
        await using var app = await StartAppAsync();
        var call = AddCall(SimulatedCall.RealCallSource, recordingBytes: 300_000);

        Assert.Equal(WorkOutcome.Stored, await FetchAsync(app, call));

        var blob = _recordings.GetBlobClient(call.Id + ".ogg");
        var properties = (await blob.GetPropertiesAsync(cancellationToken: TestContext.Current.CancellationToken)).Value;
        Assert.Equal(SimulatedRecording.ContentOf(call), (await blob.DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToArray());
        Assert.Equal(new { ContentType = SimulatedRecording.ContentType, ScoredAt = call.ScoredAt }, new { properties.ContentType, ScoredAt = (DateTimeOffset?)DateTimeOffset.Parse(properties.Metadata["athosscoredat"], System.Globalization.CultureInfo.InvariantCulture) });
        var row = await _tables.MainAsync(call.Id);
        Assert.Equal(new { RecordingStatus = (string?)RecordingStatus.Archived, RecordingError = (string?)null }, new { row!.RecordingStatus, row.RecordingError });

        // The link is a credential: not in the row, not in the archive blob, not in any log line; never sent with a key.
        var entity = (await new TableClient(storage.ConnectionString, StorageNames.CallsTable).GetEntityAsync<TableEntity>(call.Id, string.Empty, cancellationToken: TestContext.Current.CancellationToken)).Value;
        Assert.DoesNotContain(entity.Select(p => p.Value).OfType<string>(), v => v.Contains("sig=", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse((await _tables.BlobAsync(call.Id))!).RootElement.GetProperty("audioUrl").ValueKind);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), l => l.Message.Contains("sig=", StringComparison.Ordinal));
        Assert.Equal(new { RecordingRequests = 1, RecordingRequestsWithAuthorization = 0 }, new { _simulator.Requests.RecordingRequests, _simulator.Requests.RecordingRequestsWithAuthorization });
    }

    /// <summary>
    /// The call is committed before its recording is copied, so the recording's arrival is an update of its own, with a
    /// change of its own: two table requests more than a call without a recording, besides the recording's blob.
    /// </summary>
    [Fact]
    public async Task A_new_call_is_committed_before_its_recording_and_the_recording_adds_an_update_and_a_change()
    {
        var counter = new StorageRequestCounter();
        await using var app = await TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050")],
            services => services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(counter, HttpPipelinePosition.PerCall))));
        var without = AddCall(SimulatedCall.RealCallSource, recordingBytes: null);
        var with = AddCall(SimulatedCall.RealCallSource, recordingBytes: 300_000);

        // The first call of a run also notes the contract Athos speaks: not part of either call's cost.
        await FetchAsync(app, AddCall(SimulatedCall.RealCallSource, recordingBytes: null));
        counter.Reset();
        await FetchAsync(app, without);
        var plain = counter.Named.Select(r => r.ToString()).ToList();
        counter.Reset();
        await FetchAsync(app, with);
        var recorded = counter.Named.Select(r => r.ToString()).ToList();

        // The commit (the first write of AthosCalls) comes before any request for the recording.
        var commit = recorded.IndexOf(plain.First(r => r.EndsWith(StorageNames.CallsTable, StringComparison.Ordinal) && !r.StartsWith("GET", StringComparison.Ordinal)));
        Assert.True(commit >= 0 && commit < recorded.FindIndex(r => r.Contains(StorageNames.RecordingsContainer, StringComparison.Ordinal)), string.Join("\n", recorded));
        var extra = recorded.ToList();
        foreach (var request in plain)
        {
            Assert.True(extra.Remove(request), $"{request} missing from:\n{string.Join("\n", recorded)}");
        }

        // Besides the recording's blob (whether it exists, one block, the block list): the row's update and its change.
        string[] expected = [$"HEAD {StorageNames.RecordingsContainer}", $"PUT {StorageNames.RecordingsContainer}", $"PUT {StorageNames.RecordingsContainer}", $"PUT {StorageNames.CallsTable}", $"POST {StorageNames.CallChangesTable}"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), extra.Order(StringComparer.Ordinal));
        var changes = await _tables.QueryAsync(StorageNames.CallChangesTable, $"CallId eq '{with.Id}'");
        Assert.Equal([ChangeKinds.Created, ChangeKinds.RecordingArchived], changes.Select(c => c.ChangeKind));
    }

    [Fact]
    public async Task A_link_refused_as_expired_is_renewed_by_fetching_the_call_again()
    {
        await using var app = await StartAppAsync();
        var call = AddCall(SimulatedCall.RoleplaySource, recordingBytes: 50_000);
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Recording && r.CallId == call.Id, new FaultResponse(403, "LINK_EXPIRED"), times: 1);

        await FetchAsync(app, call);

        Assert.Equal(RecordingStatus.Archived, (await _tables.MainAsync(call.Id))!.RecordingStatus);
        Assert.Equal(new { DetailRequests = 2, RecordingRequests = 2 }, new { DetailRequests = _simulator.Requests.DetailRequestsFor(call.Id), RecordingRequests = _simulator.Requests.RecordingRequestsFor(call.Id) });
        Assert.Equal(SimulatedRecording.ContentOf(call), (await _recordings.GetBlobClient(call.Id + ".ogg").DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToArray());
    }

    [Fact]
    public async Task A_link_about_to_expire_is_renewed_before_it_is_used()
    {
        _simulator.Options.RecordingLinkLifetime = TimeSpan.FromSeconds(10);
        await using var app = await StartAppAsync();
        var call = AddCall(SimulatedCall.RoleplaySource, recordingBytes: 50_000);

        await FetchAsync(app, call);

        Assert.Equal(RecordingStatus.Archived, (await _tables.MainAsync(call.Id))!.RecordingStatus);
        Assert.Equal(new { DetailRequests = 2, RecordingRequests = 1 }, new { DetailRequests = _simulator.Requests.DetailRequestsFor(call.Id), RecordingRequests = _simulator.Requests.RecordingRequestsFor(call.Id) });
    }

    [Fact]
    public async Task A_recording_over_the_limit_is_refused_with_its_reason_and_nothing_half_written()
    {
        await using var app = await StartAppAsync(("ATHOS_RECORDING_MAX_BYTES", "1048576"));
        var call = AddCall(SimulatedCall.RealCallSource, recordingBytes: 3_000_000);

        Assert.Equal(WorkOutcome.Stored, await FetchAsync(app, call));

        var row = await _tables.MainAsync(call.Id);
        Assert.Equal(new { RecordingStatus = (string?)RecordingStatus.Failed, ScoredAt = call.ScoredAt }, new { row!.RecordingStatus, row.ScoredAt });
        Assert.StartsWith("too_large: the recording is 3000000 bytes; ATHOS_RECORDING_MAX_BYTES is 1048576", row.RecordingError, StringComparison.Ordinal);
        Assert.False((await _recordings.GetBlobClient(call.Id + ".ogg").ExistsAsync(TestContext.Current.CancellationToken)).Value);
    }

    [Fact]
    public async Task A_stream_longer_than_the_limit_without_a_length_stores_nothing()
    {
        await using var app = await StartAppAsync();
        var archive = app.Get<RecordingArchive>();
        await using var endless = new UnknownLengthStream(3 * RecordingArchive.BlockBytes);

        await Assert.ThrowsAsync<RecordingTooLargeException>(() => archive.WriteAsync("athos_call_unbounded", endless, StagedRecording.Nothing, 0, null, "audio/ogg", CallVersion.Scored(DateTimeOffset.UtcNow, null), RecordingArchive.BlockBytes + 1, TimeSpan.FromSeconds(5), CancellationToken.None, TestContext.Current.CancellationToken));

        Assert.False(await archive.ExistsAsync("athos_call_unbounded", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_failing_recording_host_leaves_the_call_stored_and_the_recording_pending_for_its_own_item_or_the_rescan()
    {
        await using var app = await StartAppAsync();
        var call = AddCall(SimulatedCall.RealCallSource, recordingBytes: 80_000);
        var again = AddCall(SimulatedCall.RealCallSource, recordingBytes: 60_000);
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Recording, FaultResponse.ServiceUnavailable);

        Assert.Equal(WorkOutcome.Stored, await FetchAsync(app, call));
        Assert.Equal(WorkOutcome.Stored, await FetchAsync(app, again));
        var pending = await _tables.MainAsync(call.Id);
        _simulator.Faults.Clear();

        // Each call's recording is queued as its own item (after the retry interval); such an item copies the recording.
        Assert.Equal(new { RecordingStatus = (string?)RecordingStatus.Pending, ScoredAt = call.ScoredAt }, new { pending!.RecordingStatus, pending.ScoredAt });
        Assert.Contains("503", pending.RecordingError, StringComparison.Ordinal);
        Assert.Equal(2, (await new Azure.Storage.Queues.QueueClient(storage.ConnectionString, StorageNames.CallsQueue).GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
        Assert.Equal(WorkOutcome.Stored, await ProcessAsync(app, new RecordingWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }));

        // Should that item be lost, the rescan queues another.
        await app.Get<Backfiller>().StartRescanAsync(DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, new TestQueues(storage.ConnectionString));

        foreach (var copied in new[] { call, again })
        {
            var after = await _tables.MainAsync(copied.Id);
            Assert.Equal(new { RecordingStatus = (string?)RecordingStatus.Archived, RecordingError = (string?)null }, new { after!.RecordingStatus, after.RecordingError });
            Assert.Equal(SimulatedRecording.ContentOf(copied), (await _recordings.GetBlobClient(copied.Id + ".ogg").DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToArray());
        }
    }

    [Fact]
    public async Task With_archiving_switched_off_no_recording_is_fetched_or_tracked()
    {
        await using var app = await StartAppAsync(("ATHOS_ARCHIVE_RECORDINGS", "false"));
        var call = AddCall(SimulatedCall.RoleplaySource, recordingBytes: 50_000);

        await FetchAsync(app, call);

        Assert.Null((await _tables.MainAsync(call.Id))!.RecordingStatus);
        Assert.Equal(0, _simulator.Requests.RecordingRequests);
    }

    [Fact]
    public async Task The_compliance_total_is_a_column_and_null_when_the_scorecard_or_its_total_is_absent()
    {
        await using var app = await StartAppAsync();
        var assessed = AddCall(SimulatedCall.RealCallSource, recordingBytes: null, scorecard: """{"totalScore":87.5,"sections":[{"name":"SOA","score":90}]}""");
        var notAssessed = AddCall(SimulatedCall.RealCallSource, recordingBytes: null, scorecard: null);
        var noTotal = AddCall(SimulatedCall.RoleplaySource, recordingBytes: null, scorecard: """{"sections":[]}""");

        foreach (var call in new[] { assessed, notAssessed, noTotal })
        {
            await FetchAsync(app, call);
        }

        Assert.Equal(87.5, (await _tables.MainAsync(assessed.Id))!.ComplianceTotalScore);
        Assert.Equal(87.5, (await _tables.IndexRowsAsync(assessed.Id)).ByDay.Single().ComplianceTotalScore);
        Assert.Null((await _tables.MainAsync(notAssessed.Id))!.ComplianceTotalScore);
        Assert.Null((await _tables.MainAsync(noTotal.Id))!.ComplianceTotalScore);
        Assert.Equal(RecordingStatus.None, (await _tables.MainAsync(noTotal.Id))!.RecordingStatus);
    }

    private SimulatedCall AddCall(string source, long? recordingBytes, string? scorecard = "keep")
    {
        var now = DateTimeOffset.UtcNow;
        var call = _simulator.Generator.Generate(now.AddHours(-1));
        call = (call.State == CallState.Scored ? call : _simulator.Generator.Rescore(call, now.AddMinutes(-50))) with
        {
            Source = source,
            DrillKey = source == SimulatedCall.RealCallSource ? null : "ma-full-sale",
            RecordingBytes = recordingBytes,
            ComplianceScorecard = scorecard == "keep" ? null : scorecard is null ? null : JsonDocument.Parse(scorecard).RootElement.Clone(),
        };
        _simulator.Calls.Add(call);
        return call;
    }

    private Task<WorkOutcome> FetchAsync(TestApp app, SimulatedCall call) =>
        ProcessAsync(app, new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) });

    private Task<WorkOutcome> ProcessAsync(TestApp app, WorkItem item) =>
        app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(item), "msg-" + Interlocked.Increment(ref _messages), 1, TestContext.Current.CancellationToken);

    private Task<TestApp> StartAppAsync(params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"), ("ATHOS_HTTP_MAX_RETRIES", "1"), .. overrides]);

    /// <summary>A stream of zeros that does not say how long it is (a host without <c>Content-Length</c>).</summary>
    private sealed class UnknownLengthStream(long length) : Stream
    {
        private long _remaining = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _remaining);
            Array.Clear(buffer, offset, n);
            _remaining -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
