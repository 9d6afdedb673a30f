using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Testing;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Parquet;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// The changes export over <see cref="Changes"/> changes of the feed (written straight to <c>AthosCallChanges</c> as the
/// writer leaves them, over the two days before the last hour), against its floor: a bare read of the same change rows through the consumer's
/// <c>CallChangeFeed</c>, which the export cannot do without. Then every exported file is read back.
/// </summary>
internal static class ChangesExportBenchmark
{
    /// <summary>100,000 by default; <c>ATHOS_BENCH_EXPORT_CHANGES</c> sets another size on a slow machine.</summary>
    private static readonly int Changes = int.TryParse(Environment.GetEnvironmentVariable("ATHOS_BENCH_EXPORT_CHANGES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 100_000;

    public static async Task RunAsync()
    {
        await using var stack = await Stack.StartAsync();
        var written = await WriteChangesAsync(stack.Azurite);

        // The floor: the same rows read bare, page after page, as the export reads them.
        var floorCounter = new StorageRequestCounter();
        var options = new TableClientOptions();
        options.AddPolicy(floorCounter, HttpPipelinePosition.PerCall);
        var feed = new CallChangeFeed(new TableServiceClient(stack.Azurite.ConnectionString, options), TimeProvider.System);
        var floorWatch = Stopwatch.StartNew();
        var floorRows = 0;
        string? checkpoint = null;
        CallChangePage page;
        do
        {
            page = await feed.ReadChangesAsync(checkpoint);
            floorRows += page.Changes.Count;
            checkpoint = page.Checkpoint;
        }
        while (page.HasMore);

        floorWatch.Stop();

        stack.Counter.Reset();
        var watch = Stopwatch.StartNew();
        var report = await stack.Runner.Services.GetRequiredService<IExportHandler>().ExportAsync(now: false, compact: false, CancellationToken.None);
        watch.Stop();
        var requests = stack.Counter.Requests.Count;
        var changes = report.GetProperty("changes");
        var rows = changes.GetProperty("rows").GetInt32();
        if (report.GetProperty("status").GetString() != "succeeded" || rows != Changes || floorRows != Changes)
        {
            throw new InvalidOperationException($"unexpected run: {report}; the bare read found {floorRows}");
        }

        var (readBack, files) = await ReadBackAsync(stack.Azurite);
        Measure.Header($"Changes export of {Changes:N0} changes over two days (one run)");
        Measure.Row("Duration, export / bare feed read (the floor)", $"{watch.Elapsed.TotalSeconds:0.00} s / {floorWatch.Elapsed.TotalSeconds:0.00} s");
        Measure.Row("Files, batches", $"{files} ({changes.GetProperty("batches").GetInt32()} batches of at most 50,000, one file per date each)");
        Measure.Row("Parquet bytes / the same rows as JSON lines", $"{changes.GetProperty("bytes").GetInt64():N0} / {written.JsonLinesBytes:N0} ({(double)changes.GetProperty("bytes").GetInt64() / written.JsonLinesBytes:P1})");
        Measure.Row("Rows read back / rows stored", $"{readBack.Count:N0} / {written.Keys.Count:N0}, {(readBack.SetEquals(written.Keys) ? "the same checkpoints" : "DIFFERENT")}");
        Measure.Row("Storage requests, export / bare read", $"{requests} / {floorCounter.Requests.Count}");
        Measure.Row("Storage requests per exported row, export / bare read", $"{(double)requests / rows:0.#####} / {(double)floorCounter.Requests.Count / rows:0.#####}");
        Measure.AtMost("Requests against the floor (bare read of the same rows)", (double)requests / floorCounter.Requests.Count, 1.2);
        Measure.AtMost("Time against the floor", watch.Elapsed / floorWatch.Elapsed, 3);
        Measure.AtLeast("Rows read back equal to rows stored", readBack.SetEquals(written.Keys) && readBack.Count == Changes ? 1 : 0, 1);
    }

    /// <summary>
    /// <see cref="Changes"/> change rows as the writer leaves them (docs/schema.md, "AthosCallChanges"), 100 to a batch
    /// per hour's partition; their row keys, and the size of the same rows as JSON lines.
    /// </summary>
    private static async Task<(HashSet<string> Keys, long JsonLinesBytes)> WriteChangesAsync(AzuriteInstance azurite)
    {
        var table = new TableClient(azurite.ConnectionString, StorageNames.CallChangesTable);
        var start = DateTimeOffset.UtcNow.AddDays(-2).AddHours(-1);
        var step = TimeSpan.FromDays(2) / Changes;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var jsonBytes = 0L;
        var rows = new List<TableEntity>(Changes);
        for (var i = 0; i < Changes; i++)
        {
            var stamp = start + (step * i);
            var callId = $"athos_call_bench{i % 40_000:000000}";
            var key = stamp.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "_" + callId;
            keys.Add(key);
            var scored = stamp.AddMinutes(-3);
            var row = new TableEntity(stamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture), key)
            {
                ["CallId"] = callId,
                ["ChangeKind"] = i < 40_000 ? "created" : "rescored",
                ["ChangedAt"] = stamp,
                ["Status"] = "scored",
                ["OverallScore"] = 40 + (i % 600 / 10.0),
                ["ScoredAt"] = scored,
                ["AthosUpdatedAt"] = scored,
                ["ExternalUserId"] = $"rep_{i % 250}",
                ["AgentId"] = $"athos_agent_{i % 250}",
            };
            rows.Add(row);
            jsonBytes += JsonLine(row).Length + 1;
        }

        await Parallel.ForEachAsync(
            rows.GroupBy(r => r.PartitionKey).SelectMany(p => p.Chunk(100)),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (batch, ct) => await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct));
        return (keys, jsonBytes);
    }

    /// <summary>The change as JSON lines would carry it: the same columns, the feed's names.</summary>
    private static byte[] JsonLine(TableEntity row)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("CallId", row.GetString("CallId"));
            writer.WriteString("ChangeKind", row.GetString("ChangeKind"));
            writer.WriteString("ChangedAt", row.GetDateTimeOffset("ChangedAt")!.Value);
            writer.WriteString("Status", row.GetString("Status"));
            writer.WriteNumber("OverallScore", row.GetDouble("OverallScore")!.Value);
            writer.WriteString("ScoredAt", row.GetDateTimeOffset("ScoredAt")!.Value);
            writer.WriteString("AthosUpdatedAt", row.GetDateTimeOffset("AthosUpdatedAt")!.Value);
            writer.WriteString("ExternalUserId", row.GetString("ExternalUserId"));
            writer.WriteString("AgentId", row.GetString("AgentId"));
            writer.WriteString("Checkpoint", row.RowKey);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Every exported file's <c>Checkpoint</c> column, read back with Parquet.Net; and how many files.</summary>
    private static async Task<(HashSet<string> Checkpoints, int Files)> ReadBackAsync(AzuriteInstance azurite)
    {
        var container = new BlobContainerClient(azurite.ConnectionString, StorageNames.ExportsContainer);
        var checkpoints = new HashSet<string>(StringComparer.Ordinal);
        var files = 0;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "calls/changes/", CancellationToken.None))
        {
            files++;
            await using var stream = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToStream();
            await using var reader = await ParquetReader.CreateAsync(stream);
            var field = reader.Schema.GetDataFields().Single(f => f.Name == "Checkpoint");
            for (var group = 0; group < reader.RowGroupCount; group++)
            {
                using var rowGroup = reader.OpenRowGroupReader(group);
                var values = new string[rowGroup.RowCount];
                await rowGroup.ReadAsync(field, values, null);
                checkpoints.UnionWith(values);
            }
        }

        return (checkpoints, files);
    }
}
