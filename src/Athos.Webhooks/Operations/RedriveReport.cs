namespace Athos.Webhooks.Operations;

/// <summary>What <c>redrive</c> reports: the parked items found (poison queue included), moved back, and left parked as unreadable.</summary>
internal sealed record RedriveReport(bool DryRun, int Found, int Moved, int Unreadable);
