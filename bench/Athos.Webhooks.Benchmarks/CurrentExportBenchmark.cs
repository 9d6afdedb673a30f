using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Reconciliation;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Parquet;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// A rebuild of <c>calls/current</c> and <c>scores</c> over many stored calls (100,000 unless <c>BENCH_CURRENT_CALLS</c>
/// says otherwise), against its floor: a bare scan of <c>AthosCalls</c> by the same client (the read every rebuild
/// starts with, writing nothing), in alternating rounds. The rows are copies of calls stored through the real path
/// (the simulator on the current contract, a reconcile, the runner's queue worker), spread over a year of dates, so
/// they have the product's columns and sizes. Every file is read back with Parquet.Net.
/// </summary>
internal static class CurrentExportBenchmark
{
    private const int Rounds = 2;
    private const int Samples = 200;

    // Seeding is set-up, not measured. Azurite's insert first looks the row up by RowKey, then by PartitionKey (LokiJS
    // uses its RowKey index): with AthosCalls's empty RowKey every insert scans the rows already there, and 100,000 took
    // more than 30 minutes (2026-12-07, not done). The copies' RowKey is therefore their call id, which makes each insert a look-up;
    // nothing the rebuild or the bare scan reads depends on it (both read every row; RowKey is not exported).
    private const int SeedConcurrency = 32;

    private static readonly string[] TimeColumns = ["StartedAt", "EndedAt", "ScoredAt", "AthosUpdatedAt", "EnrichedAt"];

    public static async Task RunAsync()
    {
        var calls = int.TryParse(Environment.GetEnvironmentVariable("BENCH_CURRENT_CALLS"), CultureInfo.InvariantCulture, out var size) ? size : 100_000;
        await using var stack = await Stack.StartAsync(new SimulatorOptions { FailureRate = 0, Contract = AthosContract.Current });
        var seeding = Stopwatch.StartNew();
        var stored = await StoreAsync(stack, calls);
        seeding.Stop();

        var tables = stack.Runner.Services.GetRequiredService<TableServiceClient>();
        var export = stack.Runner.Services.GetRequiredService<CurrentExport>();
        var (scanTimes, rebuildTimes) = (new List<double>(), new List<double>());
        long scanRequests = 0, rebuildRequests = 0;
        CurrentExportSummary? summary = null;
        (long Held, long Heap, long WorkingSet, long WorkingSetPeak) memory = default;
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var rebuild in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                stack.Counter.Reset();
                var watch = Stopwatch.StartNew();
                if (rebuild)
                {
                    var peak = PeakMemory.Start();
                    watch.Restart();
                    await using (peak)
                    {
                        summary = await export.RebuildAsync(CancellationToken.None);
                        rebuildTimes.Add(watch.Elapsed.TotalSeconds);
                    }

                    rebuildRequests = stack.Counter.Requests.Count;
                    memory = (Math.Max(memory.Held, peak.HeldGrowth), Math.Max(memory.Heap, peak.HeapGrowth), Math.Max(memory.WorkingSet, peak.WorkingSetGrowth), Math.Max(memory.WorkingSetPeak, peak.WorkingSetPeak));
                }
                else
                {
                    var scanned = 0;
                    await foreach (var row in tables.GetTableClient(StorageNames.CallsTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Status ne {CallStatus.Erased}")))
                    {
                        scanned++;
                    }

                    scanTimes.Add(watch.Elapsed.TotalSeconds);
                    scanRequests = stack.Counter.Requests.Count;
                    if (scanned != calls)
                    {
                        throw new InvalidOperationException($"the scan read {scanned} rows of {calls}");
                    }
                }
            }
        }

        var (readBack, callBytes, scoreBytes, scoreRows) = await ReadBackAsync(stack, summary!);
        var jsonBytes = JsonLinesBytes(stored.Values);
        var (scan, rebuilt) = (scanTimes.Min(), rebuildTimes.Min());

        Measure.Header($"Rebuilding calls/current and scores for {calls:N0} calls ({Rounds} rounds alternating with a bare scan of AthosCalls)");
        Measure.Row("Seeding (set-up, not measured against a goal)", $"{calls:N0} rows in {seeding.Elapsed.TotalSeconds:0.0} s ({calls / seeding.Elapsed.TotalSeconds:0}/s, {SeedConcurrency} at once)");
        Measure.Row("Rebuild (best of rounds) / bare scan (best of rounds)", $"{rebuilt:0.00} s / {scan:0.00} s");
        Measure.Row("Peak memory during a rebuild above its start: heap after a collection / heap / working set (most of the rounds)", $"{memory.Held / 1048576.0:0.0} MiB / {memory.Heap / 1048576.0:0.0} MiB / {memory.WorkingSet / 1048576.0:0.0} MiB (the process's working set peaked at {memory.WorkingSetPeak / 1048576.0:0} MiB, the benchmark's own copy of the rows included)");
        Measure.Row("Files: calls/current / scores", $"{summary!.CallFiles} / {summary.ScoreFiles} (one per date partition: {summary.CallFiles} dates)");
        Measure.Row("Rows: calls/current / scores", $"{summary.Calls:N0} / {summary.Scores:N0}");
        Measure.Row("Parquet bytes: calls/current / scores", $"{callBytes:N0} / {scoreBytes:N0}");
        Measure.Row("JSON lines of the same rows (AthosCalls's consumer columns)", $"{jsonBytes:N0} bytes");
        Measure.Row("Storage requests: rebuild / bare scan", $"{rebuildRequests} / {scanRequests}");
        Measure.AtLeast("Rows read back equal to rows stored (1 = every call id, once; score rows as written)", readBack.Matches(stored.Keys.ToHashSet(StringComparer.Ordinal), scoreRows, summary) ? 1 : 0, 1);
        Measure.AtMost("Parquet bytes of calls/current ÷ JSON lines bytes", (double)callBytes / jsonBytes, 0.5);
        Measure.Row("Storage requests per exported row", $"{(double)rebuildRequests / calls:0.####} (the scan alone: {(double)scanRequests / calls:0.####})");
        // The least a rebuild can cost: the scan's pages, and one upload per file.
        Measure.AtMost("Storage requests ÷ floor (the scan's pages + one upload per file)", (double)rebuildRequests / (scanRequests + summary.CallFiles + summary.ScoreFiles), 1.05, $"floor {scanRequests + summary.CallFiles + summary.ScoreFiles}");
        Measure.AtMost("Rebuild time ÷ bare scan time", rebuilt / scan, 3);
    }

    /// <summary>Every call id in <c>calls/current</c> (each once) and every row of <c>scores</c>, read back from the blobs with Parquet.Net.</summary>
    private static async Task<(ReadBack CallIds, long CallBytes, long ScoreBytes, long ScoreRows)> ReadBackAsync(Stack stack, CurrentExportSummary summary)
    {
        var container = new BlobContainerClient(stack.Azurite.ConnectionString, StorageNames.ExportsContainer);
        var ids = new List<string>();
        long callBytes = 0, scoreBytes = 0, scoreRows = 0;
        foreach (var dataset in new[] { CurrentExport.CallsDataset, CurrentExport.ScoresDataset })
        {
            await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{dataset}/v={summary.Version}/", CancellationToken.None))
            {
                using var content = new MemoryStream((await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray());
                await using var reader = await ParquetReader.CreateAsync(content);
                var callId = reader.Schema.DataFields.Single(f => f.Name == "CallId");
                for (var group = 0; group < reader.RowGroupCount; group++)
                {
                    var rows = reader.OpenRowGroupReader(group);
                    if (dataset == CurrentExport.CallsDataset)
                    {
                        var values = new string?[rows.RowCount];
                        await rows.ReadAsync(callId, values.AsMemory());
                        ids.AddRange(values.Select(v => v ?? string.Empty));
                    }
                    else
                    {
                        scoreRows += rows.RowCount;
                    }
                }

                if (dataset == CurrentExport.CallsDataset)
                {
                    callBytes += blob.Properties.ContentLength ?? 0;
                }
                else
                {
                    scoreBytes += blob.Properties.ContentLength ?? 0;
                }
            }
        }

        return (new ReadBack(ids), callBytes, scoreBytes, scoreRows);
    }

    // The same rows as one JSON object per line: the consumer columns as the table holds them.
    private static long JsonLinesBytes(IEnumerable<TableEntity> rows)
    {
        using var buffer = new MemoryStream();
        foreach (var row in rows)
        {
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                foreach (var (name, value) in row.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag") && !p.Key.EndsWith("@odata.type", StringComparison.Ordinal)))
                {
                    switch (value)
                    {
                        case null:
                            break;
                        case string text:
                            json.WriteString(name, text);
                            break;
                        case DateTimeOffset time:
                            json.WriteString(name, time.UtcDateTime);
                            break;
                        case double number:
                            json.WriteNumber(name, number);
                            break;
                        case int number:
                            json.WriteNumber(name, number);
                            break;
                        default:
                            json.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                            break;
                    }
                }

                json.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
        }

        return buffer.Length;
    }

    /// <summary>
    /// Stores <see cref="Samples"/> calls at Athos through the real path (those a reconcile lists), then copies their rows to <paramref name="calls"/> rows
    /// with new ids, their times moved back by up to a year (the copies written straight to the table: fast).
    /// </summary>
    private static async Task<Dictionary<string, TableEntity>> StoreAsync(Stack stack, int calls)
    {
        stack.Simulator.AddCalls(Samples, DateTimeOffset.UtcNow.AddHours(-20), DateTimeOffset.UtcNow.AddHours(-1));
        // The first run learns the contract, after which the second lists the real calls too.
        var queued = 0;
        for (var run = 0; run < 2; run++)
        {
            queued += (await stack.Runner.Services.GetRequiredService<Reconciler>().RunAsync()).Queued;
        }

        // A late insert waits behind many slow ones: a long timeout, and a retried insert that had landed is no failure.
        var table = new TableClient(stack.Azurite.ConnectionString, StorageNames.CallsTable, new TableClientOptions { Retry = { NetworkTimeout = TimeSpan.FromMinutes(10) } });
        List<TableEntity> samples;
        var deadline = Stopwatch.StartNew();
        while ((samples = await table.QueryAsync<TableEntity>().ToListAsync()).Count < queued && deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(500);
        }

        foreach (var sample in samples)
        {
            await table.DeleteEntityAsync(sample.PartitionKey, sample.RowKey);
        }

        var rows = Enumerable.Range(0, calls).Select(i =>
        {
            var row = new TableEntity(samples[i % samples.Count]);
            var id = $"athos_call_bench{i:D8}";
            var back = TimeSpan.FromDays(i % 365);
            (row.PartitionKey, row.RowKey, row["CallId"]) = (id, id, id);
            foreach (var column in TimeColumns)
            {
                if (row.GetDateTimeOffset(column) is { } time)
                {
                    row[column] = time - back;
                }
            }

            return row;
        }).ToList();
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = SeedConcurrency }, async (row, ct) =>
        {
            try
            {
                await table.AddEntityAsync(row, ct);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 409)
            {
                // Inserted by an attempt whose answer was lost.
            }
        });
        return rows.ToDictionary(r => r.PartitionKey, StringComparer.Ordinal);
    }

    /// <summary>The call ids read back, compared with what was stored.</summary>
    private sealed class ReadBack(List<string> callIds)
    {
        public bool Matches(HashSet<string> stored, long scoreRows, CurrentExportSummary summary) =>
            callIds.Count == stored.Count && stored.SetEquals(callIds) && scoreRows == summary.Scores && callIds.Count == summary.Calls;
    }
}
