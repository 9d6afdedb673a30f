namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// What <c>AthosState</c> says about the rescan (row <c>rescan</c>/<c>state</c> and the latest job's row): what
/// <c>athos-webhooks status</c> reads.
/// </summary>
/// <param name="JobId">The latest rescan started; <see langword="null"/> before the first.</param>
/// <param name="Latest">Its job row; <see langword="null"/> if it was never written (a host stopped before writing it).</param>
/// <param name="Skipped">Occurrences skipped because a rescan was still running, all told.</param>
/// <param name="LastSkippedAt">The occurrence skipped last.</param>
internal sealed record RescanSummary(string? JobId, BackfillJob? Latest, int Skipped, DateTimeOffset? LastSkippedAt);
