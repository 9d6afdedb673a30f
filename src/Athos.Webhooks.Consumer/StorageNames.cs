namespace Athos.Webhooks.Consumer;

/// <summary>
/// The names of every queue, table and container the product uses. The first eight are the consumer contract
/// (docs/schema.md); the rest are the product's own state. infra/ creates exactly these (a test checks it).
/// </summary>
public static class StorageNames
{
    /// <summary>Work items: one per call to fetch or failure to record (base64 JSON, as the Functions queue trigger reads).</summary>
    public const string CallsQueue = "athos-calls";

    /// <summary>Where a work item goes after <c>maxDequeueCount</c> failed attempts.</summary>
    public const string PoisonQueue = "athos-calls-poison";

    /// <summary>One row per call: <c>PartitionKey</c> = call id, <c>RowKey</c> = "".</summary>
    public const string CallsTable = "AthosCalls";

    /// <summary>Per rep, newest first: <c>PartitionKey</c> = externalUserId.</summary>
    public const string CallsByUserTable = "AthosCallsByUser";

    /// <summary>Per UTC day, newest first: <c>PartitionKey</c> = yyyy-MM-dd.</summary>
    public const string CallsByDayTable = "AthosCallsByDay";

    /// <summary>
    /// An append-only log of version changes: <c>PartitionKey</c> = the UTC hour of the write (yyyy-MM-ddTHH),
    /// <c>RowKey</c> = the write stamp's ticks (19 digits) + <c>_</c> + call id, so a consumer resumes from a checkpoint.
    /// </summary>
    public const string CallChangesTable = "AthosCallChanges";

    /// <summary><c>{callId}.json</c>: each call's detail exactly as Athos returned it.</summary>
    public const string RawCallsContainer = "athos-calls";

    /// <summary><c>{callId}.ogg</c>: each call's recording, copied before Athos deletes it after 30 days.</summary>
    public const string RecordingsContainer = "athos-recordings";

    /// <summary>One row per webhook delivery id: what came in and what became of it.</summary>
    public const string WebhookDeliveriesTable = "AthosWebhookDeliveries";

    /// <summary>The reconciler's watermark and last-run summary, backfill jobs, queued marks, and the list of erased calls' tombstones.</summary>
    public const string StateTable = "AthosState";

    /// <summary>
    /// Work items that exhausted their attempts, each with the reason, kept until an operator redrives them (no expiry,
    /// unlike a queue message the Functions host moves to the poison queue).
    /// </summary>
    public const string ParkedWorkTable = "AthosParkedWork";

    /// <summary>
    /// The mirror of Athos's roster (personal data: names, emails, NPNs when asked for): <c>PartitionKey</c> = agentId,
    /// <c>RowKey</c> = "". Kept out of the default consumer role; read with its own (docs/schema.md, "AthosAgents").
    /// </summary>
    public const string AgentsTable = "AthosAgents";

    /// <summary>Agency names the customer supplies (Athos has no read of them): <c>PartitionKey</c> = <c>agencyId</c> or <c>platformAgencyId</c>, <c>RowKey</c> = that id.</summary>
    public const string AgencyNamesTable = "AthosAgencyNames";

    /// <summary>Lease blobs that keep two reconciler runs from overlapping.</summary>
    public const string LocksContainer = "athos-locks";

    /// <summary>
    /// The analytics export: Parquet datasets (<c>calls/current</c>, <c>calls/changes</c>, <c>scores</c>) that Power BI,
    /// Fabric, Synapse and DuckDB read with Entra ID (docs/consumers.md).
    /// </summary>
    public const string ExportsContainer = "athos-exports";

    /// <summary>Every queue the product uses.</summary>
    public static IReadOnlyList<string> Queues { get; } = [CallsQueue, PoisonQueue];

    /// <summary>Every table the product uses.</summary>
    public static IReadOnlyList<string> Tables { get; } = [CallsTable, CallsByUserTable, CallsByDayTable, CallChangesTable, WebhookDeliveriesTable, StateTable, ParkedWorkTable, AgentsTable, AgencyNamesTable];

    /// <summary>Every blob container the product uses.</summary>
    public static IReadOnlyList<string> Containers { get; } = [RawCallsContainer, RecordingsContainer, LocksContainer, ExportsContainer];
}
