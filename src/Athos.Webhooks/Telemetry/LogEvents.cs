namespace Athos.Webhooks.Telemetry;

/// <summary>
/// The event id of every log of the core, by area: what the alerts, the workbook and docs/operations.md's event table
/// name, so an id is never written twice. The thousands say the area (1 Athos API, 2 webhooks, 3 work items,
/// 4 reconciliation); the runner's own events (5xxx) live with it.
/// </summary>
internal static class LogEvents
{
    public const int AthosRequestRetrying = 1001;
    public const int AthosWaitBeyondBudget = 1002;

    public const int WebhookAccepted = 2001;
    public const int WebhookIgnored = 2003;
    public const int WebhookRejected = 2004;
    public const int WebhookStorageUnavailable = 2005;
    public const int WebhookRejectedMore = 2006;

    public const int WorkProcessed = 3001;
    public const int WorkCallNotFound = 3002;
    public const int WorkAthosTransient = 3003;
    public const int WorkAthosRefused = 3004;
    public const int WorkMalformed = 3005;
    public const int WorkBackfillPageFailed = 3006;
    public const int WorkParked = 3007;
    public const int WorkDeferred = 3008;
    public const int WorkParkFailed = 3009;
    public const int RecordingArchived = 3101;
    public const int RecordingNotArchived = 3102;
    public const int RecordingQueued = 3103;
    public const int ReprojectCompleted = 3201;
    public const int ReprojectUnreadableBlob = 3202;
    public const int ChangesPurged = 3301;

    public const int ReconcileSucceeded = 4001;
    public const int ReconcileFailed = 4002;
    public const int ReconcileSkipped = 4003;
    public const int DeliveriesPurged = 4004;
    public const int HousekeepingFailed = 4005;
    public const int ContractProbeFailed = 4006;
    public const int ReconcileUnsafeId = 4007;
    public const int ReconcilePartial = 4008;
    public const int TombstonesExpired = 4009;
    public const int LeaseLost = 4010;
    public const int BackfillStarted = 4101;
    public const int BackfillPage = 4102;
    public const int BackfillStopped = 4103;
    public const int RescanSkipped = 4104;
    public const int RescanStalled = 4105;
    public const int RosterSynced = 4201;
    public const int RosterSkipped = 4202;
    public const int RosterFailed = 4203;
    public const int AgentLookedUp = 4204;
    public const int AgentNotListed = 4205;
    public const int ExportCompleted = 4301;
    public const int ExportFailed = 4302;
    public const int ExportSkipped = 4303;
    public const int ExportHistoryRemoved = 4304;
    public const int CurrentExportRebuilt = 4401;
    public const int ExportVersionsRemoved = 4402;
}
