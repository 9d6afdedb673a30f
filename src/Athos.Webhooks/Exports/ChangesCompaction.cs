using Azure;

namespace Athos.Webhooks.Exports;

/// <summary>
/// <c>export --compact</c>: merges each date's part files of <c>calls/changes/</c> into one, its first (by name, so by
/// batch). The merged file replaces the first part in one commit, then the other parts are deleted.
/// </summary>
/// <remarks>
/// A reader listing the folder between that Put and the deletes (a few requests: milliseconds, unless the run dies
/// there) sees the merged file and the parts not yet deleted, so it counts those parts' rows twice; the <c>Checkpoint</c>
/// column is unique per change, which lets a reader that must never double-count deduplicate on it. A merge is
/// idempotent (rows are deduplicated on <c>Checkpoint</c>), so the next compaction after a crash removes the duplicates.
/// </remarks>
internal sealed class ChangesCompaction(ExportContainer files)
{
    /// <summary>Merges every date folder with more than one part; returns the folders merged and the parts removed.</summary>
    public async Task<CompactionResult> CompactAsync(CancellationToken cancellationToken)
    {
        var merged = 0;
        var removed = 0;
        var folders = (await files.ListAsync(ChangesExport.Prefix, cancellationToken))
            .GroupBy(name => name[..(name.LastIndexOf('/') + 1)], StringComparer.Ordinal)
            .Where(folder => folder.Count() > 1);
        foreach (var folder in folders)
        {
            var parts = folder.Order(StringComparer.Ordinal).ToList();
            var rows = new Dictionary<string, ChangeRecord>(StringComparer.Ordinal);
            var read = new Dictionary<string, ETag>(StringComparer.Ordinal);
            foreach (var part in parts)
            {
                var (partRows, tag) = await files.ReadAsync(part, cancellationToken);
                read[part] = tag;
                foreach (var row in partRows)
                {
                    rows.TryAdd(row.Checkpoint, row);
                }
            }

            await files.WriteAsync(parts[0], [.. rows.Values.OrderBy(r => r.Checkpoint, StringComparer.Ordinal)], read[parts[0]], cancellationToken);
            foreach (var part in parts.Skip(1))
            {
                await files.DeleteAsync(part, read[part], cancellationToken);
                removed++;
            }

            merged++;
        }

        return new CompactionResult(merged, removed);
    }
}

/// <param name="Folders">Date folders merged into one file each.</param>
/// <param name="PartsRemoved">Part files deleted once their rows were in the merged file.</param>
internal sealed record CompactionResult(int Folders, int PartsRemoved);
