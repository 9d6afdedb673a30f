namespace Athos.Webhooks.Exports;

/// <summary>What a rebuild of <c>calls/current</c>, <c>scores</c> and <c>agents</c> published.</summary>
/// <param name="Version">The new live version of the three datasets.</param>
/// <param name="BuiltAt">When it started reading <c>AthosCalls</c>: what <see cref="CurrentExport.IsRebuildDue"/> takes next time.</param>
/// <param name="Calls">Rows of <c>calls/current</c>: the calls stored, tombstones left out.</param>
/// <param name="CallFiles">Files of <c>calls/current</c>.</param>
/// <param name="Scores">Rows of <c>scores</c>.</param>
/// <param name="ScoreFiles">Files of <c>scores</c>.</param>
/// <param name="Bytes">Bytes of all the new files.</param>
/// <param name="RemovedVersions">Older versions removed (every dataset), past the grace period or never published.</param>
internal sealed record CurrentExportSummary(string Version, DateTimeOffset BuiltAt, long Calls, int CallFiles, long Scores, int ScoreFiles, long Bytes, int RemovedVersions)
{
    /// <summary>Rows of <c>agents</c>: the reps of the roster mirror, removed ones included.</summary>
    public int Agents { get; init; }
}
