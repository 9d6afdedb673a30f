using System.Text.Json;
using Athos.Webhooks.Cli.Output;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// Every exit code of <c>athos-webhooks</c>, as docs/operations.md gives them, and what each command's report (the JSON
/// document its handler returns) comes to. A command returns one of these.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done; healthy; consistent; every check passed.</summary>
    public const int Ok = 0;

    /// <summary>Something was found or failed: degraded, discrepancies, a failed check or job, storage that failed or cannot be reached.</summary>
    public const int Failed = 1;

    /// <summary>A bad, missing or unknown argument, option or value, or a bad setting: each named on standard error.</summary>
    public const int Usage = 2;

    /// <summary>Cannot tell: Athos or storage could not be asked (status), or this machine's clock is too far from storage's (calls changes).</summary>
    public const int CannotTell = 3;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT, as a shell reports it).</summary>
    public const int Stopped = 130;

    /// <summary><c>forget</c>: <see cref="Failed"/> when the call's rows kept changing under it.</summary>
    public static int OfForget(JsonElement report) => report.OptionalString("conflict") is null ? Ok : Failed;

    /// <summary><c>forget --allow-restore</c>: <see cref="Failed"/> when the call is not erased or its row kept changing under it.</summary>
    public static int OfRestore(JsonElement report) => report.OptionalString("conflict") is null && report.Bool("restored") ? Ok : Failed;

    /// <summary><c>verify</c>: <see cref="Failed"/> when something was found, repaired or not (a scheduled <c>verify --repair</c> still says that something was wrong).</summary>
    public static int OfVerify(JsonElement report) => report.Bool("consistent") ? Ok : Failed;

    /// <summary><c>status</c>: <see cref="Ok"/> healthy, <see cref="Failed"/> degraded, <see cref="CannotTell"/> unknown (Athos or storage could not be asked).</summary>
    public static int OfStatus(JsonElement report) => report.String("status") switch
    {
        "healthy" => Ok,
        "degraded" => Failed,
        _ => CannotTell,
    };

    /// <summary><c>export</c>: <see cref="Failed"/> when the run failed, or was skipped because another run holds the lease.</summary>
    public static int OfExport(JsonElement report) => report.String("status") == "succeeded" ? Ok : Failed;

    /// <summary><c>backfill</c>: <see cref="Failed"/> when the job it watched failed; started, completed or no longer watched is <see cref="Ok"/>.</summary>
    public static int OfBackfill(JsonElement job) => job.String("status") == BackfillOutput.Failed ? Failed : Ok;
}
