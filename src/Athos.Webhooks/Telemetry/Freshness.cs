namespace Athos.Webhooks.Telemetry;

/// <summary>
/// Freshness, the headline figure: seconds from Athos's <c>scoredAt</c> to the moment a version's rows were written.
/// The enricher notes it where it stores a version (one call, <see cref="Stored"/>); the processor, which owns the
/// item's log event (3001) and its metrics, reads it back from the scope it opened around the item. Outside such a
/// scope (a reprojection, a repair) nothing is noted.
/// </summary>
internal static class Freshness
{
    private static readonly AsyncLocal<Observation?> Current = new();

    /// <summary>Opens the scope of one work item; dispose it when the item is done.</summary>
    public static Observation Begin()
    {
        var observation = new Observation(Current.Value);
        Current.Value = observation;
        return observation;
    }

    /// <summary>A version scored at <paramref name="scoredAt"/> was written at <paramref name="writtenAt"/>.</summary>
    public static void Stored(DateTimeOffset? scoredAt, DateTimeOffset writtenAt, string? source)
    {
        if (Current.Value is { } observation && scoredAt is { } scored)
        {
            // A clock a little behind Athos's must not report negative freshness.
            observation.Seconds = Math.Max(0, (writtenAt - scored).TotalSeconds);
            observation.Source = source;
        }
    }

    /// <summary>What one work item's scope saw.</summary>
    public sealed class Observation : IDisposable
    {
        private readonly Observation? _outer;

        internal Observation(Observation? outer) => _outer = outer;

        /// <summary>Seconds from <c>scoredAt</c> to the write, when a scored version was stored.</summary>
        public double? Seconds { get; internal set; }

        /// <summary>The stored call's source.</summary>
        public string? Source { get; internal set; }

        public void Dispose() => Current.Value = _outer;
    }
}
