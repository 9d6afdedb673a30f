using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Athos.Webhooks.Telemetry;

/// <summary>
/// Every instrument of the one <see cref="Meter"/> named <c>Athos.Webhooks</c>, the same in every host (the Functions
/// app, the local runner). Names and tags are constants here because the alerts and the workbook in infra/ query them
/// by name (tests tie the two); docs/operations.md, "Metrics", lists them.
/// </summary>
/// <remarks>
/// Azure Monitor keeps only the sum, count, minimum and maximum of a histogram (table <c>AppMetrics</c>), so the
/// percentiles of freshness come from the same figure on log event 3001 (<c>FreshnessSeconds</c>), not from here.
/// </remarks>
internal sealed class AthosMetrics
{
    public const string MeterName = "Athos.Webhooks";

    /// <summary>Instrument names, as they arrive in <c>AppMetrics.Name</c>.</summary>
    public static class Names
    {
        /// <summary>Webhook deliveries answered, by <see cref="Tags.Outcome"/> and <see cref="Tags.Status"/>.</summary>
        public const string Deliveries = "athos.webhooks.deliveries";

        /// <summary>How long a webhook delivery took to answer (the ACK), seconds.</summary>
        public const string DeliveryDuration = "athos.webhooks.delivery.duration";

        /// <summary>Queue messages processed, by <see cref="Tags.Outcome"/>, <see cref="Tags.Origin"/> and <see cref="Tags.Kind"/>.</summary>
        public const string WorkItems = "athos.webhooks.work_items";

        /// <summary>Seconds from Athos's <c>scoredAt</c> to the stored row, per version stored.</summary>
        public const string Freshness = "athos.webhooks.freshness";

        /// <summary>HTTP requests to Athos's API (every attempt), by <see cref="Tags.Operation"/> and <see cref="Tags.Status"/>.</summary>
        public const string AthosRequests = "athos.webhooks.athos.requests";

        /// <summary>How long one request to Athos took, seconds.</summary>
        public const string AthosRequestDuration = "athos.webhooks.athos.request.duration";

        /// <summary>Reconcile runs, by <see cref="Tags.Status"/>.</summary>
        public const string ReconcileRuns = "athos.webhooks.reconcile.runs";

        /// <summary>How long a reconcile run took, seconds, by <see cref="Tags.Status"/>.</summary>
        public const string ReconcileDuration = "athos.webhooks.reconcile.duration";

        /// <summary>Each source's part of a run, by <see cref="Tags.Source"/> and <see cref="Tags.Status"/>.</summary>
        public const string ReconcileSources = "athos.webhooks.reconcile.sources";

        /// <summary>Calls a run counted, by <see cref="Tags.Source"/> and <see cref="Tags.Result"/>.</summary>
        public const string ReconcileCalls = "athos.webhooks.reconcile.calls";

        /// <summary>Work items parked in <c>AthosParkedWork</c>, by <see cref="Tags.Reason"/>.</summary>
        public const string Parked = "athos.webhooks.parked";

        /// <summary>Messages the local runner moved to <c>athos-calls-poison</c> (it could not park them: storage down).</summary>
        public const string Poisoned = "athos.webhooks.poisoned";

        /// <summary>How far behind the change feed the analytics export is at the end of a run, seconds, by <see cref="Tags.Dataset"/>.</summary>
        public const string ExportLag = "athos.webhooks.export.lag";

        public static IReadOnlyList<string> All { get; } =
            [Deliveries, DeliveryDuration, WorkItems, Freshness, AthosRequests, AthosRequestDuration, ReconcileRuns, ReconcileDuration, ReconcileSources, ReconcileCalls, Parked, Poisoned, ExportLag];
    }

    /// <summary>Tag (dimension) names, as they arrive in <c>AppMetrics.Properties</c>.</summary>
    public static class Tags
    {
        /// <summary>Deliveries: <c>accepted</c>, <c>ignored</c> or the error code; work items: the outcome (<c>duplicate</c> among them).</summary>
        public const string Outcome = "outcome";

        /// <summary>An HTTP status (deliveries, Athos requests: else <c>timeout</c> or <c>transport_error</c>); a run's status.</summary>
        public const string Status = "status";

        /// <summary>Why a work item was queued: <c>webhook</c>, <c>reconcile</c>, <c>backfill</c>, <c>redrive</c>, <c>rescan</c>.</summary>
        public const string Origin = "origin";

        /// <summary>The work item kind: <c>fetch</c>, <c>scoringFailed</c>, <c>backfillPage</c>, <c>invalid</c>.</summary>
        public const string Kind = "kind";

        /// <summary>The call source: <c>roleplay</c>, <c>real_call</c>.</summary>
        public const string Source = "source";

        /// <summary>Athos requests: <c>list</c> or <c>detail</c>.</summary>
        public const string Operation = "operation";

        /// <summary>Reconcile counts: <c>listed</c>, <c>missing</c>, <c>stale</c>, <c>queued</c>, <c>pending</c>, <c>skipped_id</c>.</summary>
        public const string Result = "result";

        /// <summary>Why an item was parked (<c>ParkReason</c>).</summary>
        public const string Reason = "reason";

        /// <summary>The export's dataset: <c>changes</c>.</summary>
        public const string Dataset = "dataset";
    }

    /// <summary>The tags each instrument records (what the alerts may filter on).</summary>
    internal static IReadOnlyDictionary<string, string[]> TagsOf { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Names.Deliveries] = [Tags.Outcome, Tags.Status],
        [Names.DeliveryDuration] = [Tags.Outcome, Tags.Status],
        [Names.WorkItems] = [Tags.Outcome, Tags.Origin, Tags.Kind],
        [Names.Freshness] = [Tags.Origin, Tags.Source],
        [Names.AthosRequests] = [Tags.Operation, Tags.Status],
        [Names.AthosRequestDuration] = [Tags.Operation, Tags.Status],
        [Names.ReconcileRuns] = [Tags.Status],
        [Names.ReconcileDuration] = [Tags.Status],
        [Names.ReconcileSources] = [Tags.Source, Tags.Status],
        [Names.ReconcileCalls] = [Tags.Source, Tags.Result],
        [Names.Parked] = [Tags.Reason],
        [Names.Poisoned] = [],
        [Names.ExportLag] = [Tags.Dataset],
    };

    /// <summary>Work item outcome of an attempt that failed and is left to the queue's next attempt.</summary>
    internal const string RetriedOutcome = "retried";

    private static readonly IReadOnlyList<double> DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10, 30, 60];

    private static readonly IReadOnlyList<double> FreshnessBuckets = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400];

    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _deliveryDuration;
    private readonly Counter<long> _workItems;
    private readonly Histogram<double> _freshness;
    private readonly Counter<long> _athosRequests;
    private readonly Histogram<double> _athosRequestDuration;
    private readonly Counter<long> _reconcileRuns;
    private readonly Histogram<double> _reconcileDuration;
    private readonly Counter<long> _reconcileSources;
    private readonly Counter<long> _reconcileCalls;
    private readonly Counter<long> _parked;
    private readonly Counter<long> _poisoned;
    private readonly Histogram<double> _exportLag;

    public AthosMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _deliveries = meter.CreateCounter<long>(Names.Deliveries, "{delivery}", "Webhook deliveries answered, by outcome (accepted, ignored or the error code) and HTTP status.");
        _deliveryDuration = meter.CreateHistogram(Names.DeliveryDuration, "s", "How long a webhook delivery took to answer.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _workItems = meter.CreateCounter<long>(Names.WorkItems, "{item}", "Queue messages processed, by outcome, origin and kind.");
        _freshness = meter.CreateHistogram(Names.Freshness, "s", "Seconds from Athos's scoredAt to the stored row, per version stored.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FreshnessBuckets });
        _athosRequests = meter.CreateCounter<long>(Names.AthosRequests, "{request}", "HTTP requests to Athos (each attempt), by operation and status.");
        _athosRequestDuration = meter.CreateHistogram(Names.AthosRequestDuration, "s", "How long one request to Athos took.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _reconcileRuns = meter.CreateCounter<long>(Names.ReconcileRuns, "{run}", "Reconcile runs, by status (succeeded, partial, failed, skipped).");
        _reconcileDuration = meter.CreateHistogram(Names.ReconcileDuration, "s", "How long a reconcile run took.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _reconcileSources = meter.CreateCounter<long>(Names.ReconcileSources, "{source}", "Each call source's part of a reconcile run, by source and status.");
        _reconcileCalls = meter.CreateCounter<long>(Names.ReconcileCalls, "{call}", "Calls a reconcile run listed, found missing or stale, queued, left pending, or skipped as invalid ids.");
        _parked = meter.CreateCounter<long>(Names.Parked, "{item}", "Work items parked in AthosParkedWork, by reason.");
        _poisoned = meter.CreateCounter<long>(Names.Poisoned, "{message}", "Messages the local runner moved to athos-calls-poison because it could not park them.");
        _exportLag = meter.CreateHistogram(Names.ExportLag, "s", "How far behind the change feed the analytics export is at the end of a run.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FreshnessBuckets });
    }

    /// <summary>A webhook delivery was answered: <paramref name="outcome"/> is its status (<c>accepted</c>, …) or, for an error, its code.</summary>
    internal void DeliveryAnswered(string outcome, int status, TimeSpan elapsed)
    {
        var tags = new TagList { { Tags.Outcome, outcome }, { Tags.Status, status } };
        _deliveries.Add(1, tags);
        _deliveryDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>A queue message was processed (or failed and is left to the queue: <see cref="RetriedOutcome"/>).</summary>
    internal void WorkItemProcessed(string outcome, string origin, string kind) =>
        _workItems.Add(1, new TagList { { Tags.Outcome, outcome }, { Tags.Origin, origin }, { Tags.Kind, kind } });

    /// <summary>A version of a call was stored <paramref name="seconds"/> after Athos scored it.</summary>
    internal void VersionStored(double seconds, string origin, string? source) =>
        _freshness.Record(seconds, new TagList { { Tags.Origin, origin }, { Tags.Source, source ?? "unknown" } });

    /// <summary>One request to Athos ended: <paramref name="status"/> is the HTTP status, or <c>timeout</c> / <c>transport_error</c>.</summary>
    internal void AthosRequestEnded(string operation, string status, TimeSpan elapsed)
    {
        var tags = new TagList { { Tags.Operation, operation }, { Tags.Status, status } };
        _athosRequests.Add(1, tags);
        _athosRequestDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>A reconcile run ended (or was skipped because another run held the lock), with its duration when it ran.</summary>
    internal void ReconcileEnded(string status, TimeSpan? duration)
    {
        _reconcileRuns.Add(1, new TagList { { Tags.Status, status } });
        if (duration is { } took)
        {
            _reconcileDuration.Record(took.TotalSeconds, new TagList { { Tags.Status, status } });
        }
    }

    /// <summary>A call source's part of a reconcile run ended.</summary>
    internal void ReconcileSourceEnded(string source, string status) =>
        _reconcileSources.Add(1, new TagList { { Tags.Source, source }, { Tags.Status, status } });

    /// <summary>Calls of a source that a reconcile run found in one state (<see cref="Tags.Result"/>); none are not counted.</summary>
    internal void ReconcileCallsCounted(string source, string result, int count)
    {
        if (count > 0)
        {
            _reconcileCalls.Add(count, new TagList { { Tags.Source, source }, { Tags.Result, result } });
        }
    }

    /// <summary>A work item was parked in <c>AthosParkedWork</c>.</summary>
    internal void ItemParked(string reason) => _parked.Add(1, new TagList { { Tags.Reason, reason } });

    /// <summary>The local runner moved a message to <c>athos-calls-poison</c>.</summary>
    public void MessagePoisoned() => _poisoned.Add(1);

    /// <summary>An export run ended <paramref name="seconds"/> behind the change feed (the stamp its checkpoint stands at).</summary>
    internal void ExportLag(double seconds, string dataset) => _exportLag.Record(seconds, new TagList { { Tags.Dataset, dataset } });

    /// <summary>A status as tagged and logged, its name in lower case (a reconcile's: <c>succeeded</c>, <c>partial</c>, <c>failed</c>, <c>skipped</c>).</summary>
    internal static string StatusName<TStatus>(TStatus status)
        where TStatus : struct, Enum => status.ToString().ToLowerInvariant();
}
