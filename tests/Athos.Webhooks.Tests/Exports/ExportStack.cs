using System.Globalization;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using DuckDB.NET.Data;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Exports;

/// <summary>
/// The export against real Azurite: changes written in the past (a writer clock two days back, hours apart, so that
/// they fall on several dates), and the app on a clock of its own, which each export run first moves to
/// <see cref="Ahead"/> of the last write (so that every change written is older than the feed's 5-minute margin), and
/// after which the writer's clock moves on to the app's (a writer stamps after the checkpoint, as the feed's writers
/// do). Its table requests go through a proxy dated by that same clock, as the feed checks its clock against the
/// service's. The files are read back with DuckDB from a local copy (<c>export --to-dir</c>'s code).
/// </summary>
internal sealed class ExportStack : IAsyncDisposable
{
    public static readonly TimeSpan Ahead = CallChangeFeed.ReadMargin + TimeSpan.FromMinutes(1);

    private readonly AzuriteFixture _storage;
    private readonly StorageClockProxy _proxy;
    private readonly CallRowWriter _writer;
    private readonly List<string> _copies = [];

    private ExportStack(AzuriteFixture storage, StorageClockProxy proxy, TestApp app, FakeTimeProvider appClock, FakeTimeProvider writerClock)
    {
        _storage = storage;
        _proxy = proxy;
        App = app;
        AppClock = appClock;
        WriterClock = writerClock;
        _writer = TestCalls.Writer(new TableServiceClient(storage.ConnectionString), writerClock);
    }

    public TestApp App { get; }

    /// <summary>The app's clock (and the storage service's, through the proxy).</summary>
    public FakeTimeProvider AppClock { get; }

    /// <summary>The clock the changes are stamped by: 22:00 UTC two days ago, moved on by the test.</summary>
    public FakeTimeProvider WriterClock { get; }

    public BlobContainerClient Exports => new(_storage.ConnectionString, StorageNames.ExportsContainer);

    /// <param name="configure">More services of the app's (a storage pipeline policy).</param>
    public static async Task<ExportStack> StartAsync(AzuriteFixture storage, Action<IServiceCollection>? configure = null)
    {
        var writerClock = new FakeTimeProvider(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-2).AddHours(22), TimeSpan.Zero));
        var clock = new FakeTimeProvider(writerClock.GetUtcNow());
        var proxy = await StorageClockProxy.StartAsync(storage.Azurite, clock);
        var settings = StackSettings.For(null, storage.Azurite);
        settings["AzureWebJobsStorage"] = proxy.ConnectionString;
        var app = await TestApp.StartAsync(settings, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            configure?.Invoke(services);
        });
        return new ExportStack(storage, proxy, app, clock, writerClock);
    }

    /// <summary>The stack with <paramref name="policies"/> in the app's storage pipeline (a <see cref="StorageGate"/>, a refusal).</summary>
    public static Task<ExportStack> StartThroughAsync(AzuriteFixture storage, params HttpPipelinePolicy[] policies) =>
        StartAsync(storage, services => services.AddAzureClients(azure => azure.ConfigureDefaults(options =>
        {
            foreach (var policy in policies)
            {
                options.AddPolicy(policy, HttpPipelinePosition.PerCall);
            }
        })));

    /// <summary>Stores <paramref name="row"/> (a new version of its call) at the writer clock's time, then moves that clock on by <paramref name="then"/>.</summary>
    public async Task WriteAsync(CallRow row, TimeSpan then)
    {
        await _writer.WriteAsync(TestCalls.Fresh(row), PriorRow.Unknown, TestContext.Current.CancellationToken);
        WriterClock.Advance(then);
    }

    /// <summary>One export run, with the app's clock <see cref="Ahead"/> of the last write; the writer's clock then moves on to the app's.</summary>
    public async Task<ExportSummary> ExportAsync(bool compact = false)
    {
        CatchUpTo(WriterClock.GetUtcNow() + Ahead);
        var summary = await App.Get<ExportRun>().RunAsync(new ExportRequest(Compact: compact), TestContext.Current.CancellationToken);
        WriterClock.SetUtcNow(AppClock.GetUtcNow());
        return summary;
    }

    /// <summary>Moves the app's clock on to <paramref name="time"/> (never back).</summary>
    public void CatchUpTo(DateTimeOffset time)
    {
        if (time > AppClock.GetUtcNow())
        {
            AppClock.SetUtcNow(time);
        }
    }

    /// <summary>Every change the feed holds now, as a consumer reads it (the app's clock).</summary>
    public async Task<List<CallChange>> FeedAsync() =>
        (await TestCalls.ReadAllAsync(App.Get<CallChangeFeed>(), null, CallChangeFeed.MaxPageSize)).Changes;

    /// <summary>The names under <c>calls/changes/</c>, in order.</summary>
    public async Task<List<string>> ChangesFilesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Exports.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, ChangesExport.Prefix, cancellationToken: TestContext.Current.CancellationToken))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>A local copy of the datasets (<c>export --to-dir</c>'s code), for DuckDB.</summary>
    public async Task<string> CopyAsync()
    {
        var directory = Directory.CreateTempSubdirectory("athos-export-").FullName;
        _copies.Add(directory);
        await App.Get<LocalExportCopy>().CopyAsync(directory, TestContext.Current.CancellationToken);
        return directory;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _proxy.DisposeAsync();
        foreach (var copy in _copies)
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>Every exported change as DuckDB reads the copy in <paramref name="directory"/>, in checkpoint order; times as microseconds since the epoch.</summary>
    public static List<ExportedRow> ReadWithDuckDb(string directory)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        var glob = Path.Combine(directory, "calls", "changes", "*", "*.parquet");
        command.CommandText = $"""
            SELECT CallId, ChangeKind, epoch_us(ChangedAt), Status, OverallScore, epoch_us(ScoredAt), epoch_us(AthosUpdatedAt),
                   ExternalUserId, AgentId, Checkpoint, CAST("date" AS VARCHAR)
            FROM read_parquet('{glob}', hive_partitioning = true)
            """;
        using var reader = command.ExecuteReader();
        var rows = new List<ExportedRow>();
        while (reader.Read())
        {
            rows.Add(new ExportedRow(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetString(9),
                reader.GetString(10)));
        }

        // Sorted here: DuckDB 1.5.6 (DuckDB.NET 1.5.6.1) returned wrong epoch_us values from one of these files under
        // ORDER BY Checkpoint (right ones without it, and right timestamps when cast to text either way).
        return [.. rows.OrderBy(r => r.Checkpoint, StringComparer.Ordinal)];
    }

    /// <summary>What the export must hold for <paramref name="change"/>: its values, times to the microsecond, and its stamp's UTC date as the folder.</summary>
    public static ExportedRow Expected(CallChange change) => new(
        change.CallId,
        change.KindName,
        Micros(change.ChangedAt),
        change.Status,
        change.OverallScore,
        change.ScoredAt is { } scored ? Micros(scored) : null,
        change.AthosUpdatedAt is { } updated ? Micros(updated) : null,
        change.ExternalUserId,
        change.AgentId,
        change.Checkpoint,
        change.ChangedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    private static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}

internal sealed record ExportedRow(string CallId, string ChangeKind, long ChangedAt, string Status, double? OverallScore, long? ScoredAt, long? AthosUpdatedAt, string? ExternalUserId, string? AgentId, string Checkpoint, string Date);
