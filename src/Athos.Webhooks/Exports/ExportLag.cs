namespace Athos.Webhooks.Exports;

/// <summary>How far behind the export is, from what storage holds: what <c>status</c> and the health endpoint show.</summary>
internal sealed class ExportLag(ChangesExportState state, ExportContainer files)
{
    /// <summary>The changes export's state and the current dataset's build time (two reads).</summary>
    public async Task<ExportPosition> ReadAsync(CancellationToken cancellationToken)
    {
        var rowRead = state.GetAsync(cancellationToken);
        var pointerRead = files.ReadSmallAsync(ExportPointer.NameOf(CurrentExport.CallsDataset), cancellationToken);
        var row = await rowRead;
        var pointer = ExportPointer.Parse(await pointerRead);
        return new ExportPosition(row.ExportedThrough, row.LastRunAt, row.LastRunError, row.PendingFrom is not null, pointer?.BuiltAtUtc);
    }
}

/// <param name="ExportedThrough">Every change stamped before this is in a committed changes file; null before the first run.</param>
/// <param name="LastRunAt">When the last export run ended.</param>
/// <param name="LastRunError">Why it failed, when it did.</param>
/// <param name="Pending">A batch is written but its checkpoint not moved (a run died in between; the next one redoes it).</param>
/// <param name="CurrentBuiltAt">When the live <c>calls/current</c> version was built; null if none was.</param>
internal sealed record ExportPosition(DateTimeOffset? ExportedThrough, DateTimeOffset? LastRunAt, string? LastRunError, bool Pending, DateTimeOffset? CurrentBuiltAt);
