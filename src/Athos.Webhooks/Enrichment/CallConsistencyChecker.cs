using System.Collections.Concurrent;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Storage;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Athos.Webhooks.Enrichment;

/// <summary>
/// Compares what is stored of each call changed since a time (<c>athos-webhooks verify</c>): the <c>AthosCalls</c>
/// row, its index rows, its archive blob and its version's change in <c>AthosCallChanges</c>. Reads only. An erased
/// call's tombstone is consistent alone: any index row or archive blob beside it is an orphan.
/// </summary>
/// <remarks>
/// The calls checked are those with an <c>AthosCalls</c> row, an index row or an archive blob written since the time
/// (the tables are scanned by <c>Timestamp</c>, the container is listed). For each, the main row is read, the index rows
/// at its keys and wherever rows of the call were seen, the blob's version (its metadata), and the change row at the
/// main row's <c>ChangeKey</c> when it is due (<see cref="IsChangeDue"/>). An index row elsewhere that was written before
/// the time is not seen: choose a time before the trouble.
/// </remarks>
internal sealed class CallConsistencyChecker(TableServiceClient tables, BlobServiceClient blobs, CallIndex index, IOptions<ChangeFeedOptions> changeFeed)
{
    /// <summary>
    /// A call written this recently may have a writer still at work (a writer puts the blob, then the index rows, then
    /// the main row, then deletes old keys): its findings are reported as in flight, not judged. Longer than the
    /// Functions timeout (host.json <c>functionTimeout</c>, 10 minutes), so no writer can still be running.
    /// </summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(10);

    private const int Parallelism = 8;
    private const string JsonSuffix = ".json";

    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);
    private readonly TableClient _changes = tables.GetTableClient(StorageNames.CallChangesTable);
    private readonly BlobContainerClient _archive = blobs.GetBlobContainerClient(StorageNames.RawCallsContainer);
    private readonly TimeSpan _changeRetention = changeFeed.Value.Retention;

    /// <summary>Checks every call written since <paramref name="since"/>, as of <paramref name="now"/>.</summary>
    public async Task<ConsistencyReport> CheckAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var candidates = new ConcurrentDictionary<string, ConcurrentBag<IndexKey>>(StringComparer.Ordinal);
        void Add(string? callId, IndexKey? key)
        {
            if (callId is not null && CallId.TryParse(callId, out _))
            {
                var keys = candidates.GetOrAdd(callId, _ => []);
                if (key is not null)
                {
                    keys.Add(key);
                }
            }
        }

        var changedSince = TableClient.CreateQueryFilter($"Timestamp ge {since}");
        await foreach (var row in _calls.QueryAsync<KeysRow>(changedSince, select: [nameof(KeysRow.PartitionKey)], cancellationToken: cancellationToken))
        {
            Add(row.PartitionKey, null);
        }

        foreach (var table in new[] { StorageNames.CallsByUserTable, StorageNames.CallsByDayTable })
        {
            await foreach (var row in tables.GetTableClient(table).QueryAsync<CallRow>(changedSince, select: [nameof(CallRow.PartitionKey), nameof(CallRow.RowKey), nameof(CallRow.CallId)], cancellationToken: cancellationToken))
            {
                // The row key ends with the call id; the column says it too, unless someone wrote the row by hand.
                var callId = row.CallId is { Length: > 0 } id ? id : row.RowKey[(row.RowKey.IndexOf('_', StringComparison.Ordinal) + 1)..];
                Add(callId, new IndexKey(table, row.PartitionKey, row.RowKey));
            }
        }

        await foreach (var blob in _archive.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (blob.Name.EndsWith(JsonSuffix, StringComparison.Ordinal) && blob.Properties.LastModified >= since)
            {
                Add(blob.Name[..^JsonSuffix.Length], null);
            }
        }

        var checkedCalls = new ConcurrentBag<CallConsistency>();
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (candidate, ct) =>
            checkedCalls.Add(await CheckCallAsync(candidate.Key, candidate.Value, now, ct)));

        var found = checkedCalls.Where(c => !c.IsConsistent).OrderBy(c => c.CallId, StringComparer.Ordinal).ToList();
        return new ConsistencyReport(since, now, checkedCalls.Count, [.. found.Where(c => !c.InFlight)], [.. found.Where(c => c.InFlight)]);
    }

    /// <summary>Checks one call: its main row, its index rows at the main row's keys and at <paramref name="otherKeys"/>, its blob.</summary>
    internal async Task<CallConsistency> CheckCallAsync(string callId, IEnumerable<IndexKey> otherKeys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var response = await _calls.GetEntityIfExistsAsync<CallRow>(callId, string.Empty, cancellationToken: cancellationToken);
        var main = response.HasValue ? response.Value : null;
        var rows = new List<(IndexKey Key, CallRow Row)>();
        foreach (var key in (main is null ? [] : CallIndex.KeysOf(main)).Union(otherKeys))
        {
            if (await index.ReadAsync(key, cancellationToken) is { } row)
            {
                rows.Add((key, row));
            }
        }

        var blob = await ReadBlobAsync(callId, cancellationToken);
        var discrepancies = Compare(callId, main, rows, blob);
        if (main is not null && await CheckChangeAsync(main, now, cancellationToken) is { } change)
        {
            discrepancies.Add(change);
        }

        var lastWritten = rows.Select(r => r.Row.Timestamp).Append(main?.Timestamp).Append(blob?.LastModified).Max();
        return new CallConsistency(callId, discrepancies, [.. rows.Select(r => r.Key)], discrepancies.Count > 0 && lastWritten > now - SettleTime);
    }

    /// <summary>What is wrong between a call's main row, its index rows (with their keys) and its blob's version.</summary>
    internal static List<Discrepancy> Compare(string callId, CallRow? main, IReadOnlyList<(IndexKey Key, CallRow Row)> rows, ArchivedVersion? blob)
    {
        var found = new List<Discrepancy>();
        if (main is { IsErased: true })
        {
            // A tombstone stands alone: whatever else of the call is there was put by a writer that died before it took it back.
            if (blob is { } left)
            {
                found.Add(new(callId, StorageNames.RawCallsContainer, DiscrepancyKind.Orphan, null, $"holds {RowVersion.Describe(left.Version)}; the call is erased"));
            }

            found.AddRange(rows.Select(r => new Discrepancy(callId, r.Key.Table, DiscrepancyKind.Orphan, r.Key, $"holds {RowVersion.Of(r.Row)}; the call is erased")));
            return found;
        }

        if (main is null)
        {
            if (blob is { } archived)
            {
                found.Add(new(callId, StorageNames.CallsTable, DiscrepancyKind.Missing, null, $"no row, while the archive blob holds {RowVersion.Describe(archived.Version)}"));
            }

            found.AddRange(rows.Select(r => new Discrepancy(callId, r.Key.Table, DiscrepancyKind.Orphan, r.Key, $"holds {RowVersion.Of(r.Row)}; the call has no {StorageNames.CallsTable} row")));
            return found;
        }

        var version = RowVersion.Of(main);
        var callVersion = CallVersion.Of(main);
        if (blob is { } stored)
        {
            var byBlob = stored.Version.CompareTo(callVersion);
            if (byBlob > 0)
            {
                found.Add(new(callId, StorageNames.CallsTable, DiscrepancyKind.Older, null, $"holds {RowVersion.Describe(callVersion)}; the archive blob, newer, holds {RowVersion.Describe(stored.Version)}"));
            }
            else if (byBlob < 0)
            {
                found.Add(new(callId, StorageNames.RawCallsContainer, DiscrepancyKind.Older, null, $"holds {RowVersion.Describe(stored.Version)}; the row holds {RowVersion.Describe(callVersion)}"));
            }
        }
        else if (main.Status == CallStatus.Scored)
        {
            // A failed call has no blob (Athos has no detail for it); a scored one always has one.
            found.Add(new(callId, StorageNames.RawCallsContainer, DiscrepancyKind.Missing, null, $"no archive blob; the row holds {RowVersion.Describe(callVersion)}"));
        }

        var expected = CallIndex.KeysOf(main);
        foreach (var key in expected)
        {
            var row = rows.FirstOrDefault(r => r.Key == key).Row;
            if (row is null)
            {
                found.Add(new(callId, key.Table, DiscrepancyKind.Missing, key, $"no row; the main row holds {version}"));
                continue;
            }

            var comparison = RowVersion.Of(row).CompareTo(version);
            if (comparison != 0)
            {
                found.Add(new(callId, key.Table, comparison < 0 ? DiscrepancyKind.Older : DiscrepancyKind.Newer, key, $"holds {RowVersion.Of(row)}; the main row holds {version}"));
            }
            else if (IndexColumns.Differences(main, row) is { Count: > 0 } columns)
            {
                found.Add(new(callId, key.Table, DiscrepancyKind.DifferentValues, key, $"same version, other values in {string.Join(", ", columns)}"));
            }
        }

        foreach (var (key, row) in rows.Where(r => !expected.Contains(r.Key)))
        {
            found.Add(new(callId, key.Table, DiscrepancyKind.StaleKeys, key, $"holds {RowVersion.Of(row)} at keys the main row does not have; the main row holds {version}"));
        }

        return found;
    }

    /// <summary>
    /// Whether the change stamped <paramref name="stamp"/> must be in <c>AthosCallChanges</c> at <paramref name="now"/>:
    /// older than <see cref="CallChangeFeed.ReadMargin"/> (until then its insert may still be in flight, or due to move to a
    /// new stamp), younger than <c>ATHOS_CHANGE_RETENTION</c> (older ones are purged).
    /// </summary>
    private bool IsChangeDue(DateTimeOffset stamp, DateTimeOffset now) => stamp < now - CallChangeFeed.ReadMargin && stamp > now - _changeRetention;

    /// <summary>The main row's version missing from the change feed, if its change is due: no row, or a void one, at its <c>ChangeKey</c>.</summary>
    private async Task<Discrepancy?> CheckChangeAsync(CallRow main, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // No key: stored before the change feed existed.
        if (main.ChangeKey is not { } key || !ChangeKeys.IsCheckpoint(key) || !IsChangeDue(ChangeKeys.StampOf(key), now))
        {
            return null;
        }

        var at = new IndexKey(StorageNames.CallChangesTable, ChangeKeys.PartitionKey(ChangeKeys.StampOf(key)), key);
        var response = await _changes.GetEntityIfExistsAsync<ChangeRow>(at.PartitionKey, at.RowKey, cancellationToken: cancellationToken);
        var change = $"{main.ChangeKind ?? ChangeKinds.Rescored} change";
        return !response.HasValue ? new(main.CallId, StorageNames.CallChangesTable, DiscrepancyKind.Missing, at, $"no {change} at the main row's ChangeKey; the main row holds {RowVersion.Of(main)}")
            : response.Value!.IsVoid ? new(main.CallId, StorageNames.CallChangesTable, DiscrepancyKind.Missing, at, $"a void row, not the {change}, at the main row's ChangeKey; the main row holds {RowVersion.Of(main)}")
            : null;
    }

    private async Task<ArchivedVersion?> ReadBlobAsync(string callId, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await _archive.GetBlobClient(CallArchive.BlobName(callId)).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return new ArchivedVersion(VersionMetadata.Read(properties.Metadata), properties.LastModified);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}

/// <summary>The version an archive blob holds (its metadata), and when it was written.</summary>
internal readonly record struct ArchivedVersion(CallVersion Version, DateTimeOffset LastModified);
