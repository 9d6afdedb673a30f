namespace Athos.Webhooks.Operations;

/// <summary>What <c>reproject</c> reports, as it goes and when done: the archive blobs scanned, the rows rewritten, those already current, and the blobs that could not be read.</summary>
internal sealed record ReprojectReport(int Scanned, int Rewritten, int Current, int Unreadable);
