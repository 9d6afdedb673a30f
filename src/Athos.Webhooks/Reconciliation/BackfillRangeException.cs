namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// A backfill request the backfiller refuses (empty, reversed, future or too long range; unknown source). Carries the
/// request field to blame and a message fit to show as it is, so hosts need not take an exception message apart.
/// </summary>
internal sealed class BackfillRangeException : Exception
{
    public BackfillRangeException()
    {
    }

    public BackfillRangeException(string message)
        : base(message)
    {
    }

    public BackfillRangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BackfillRangeException(string field, string message)
        : base(message) => Field = field;

    /// <summary>The request field at fault: <c>from</c>, <c>to</c> or <c>sources</c>.</summary>
    public string? Field { get; }
}
