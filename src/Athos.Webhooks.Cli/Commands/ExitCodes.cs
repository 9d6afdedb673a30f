namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// Every exit code of <c>athos-webhooks</c>, as docs/operations.md gives them. A command returns one of these, or the
/// code its report carries (status: <see cref="Ok"/>, <see cref="Failed"/> or <see cref="CannotTell"/>).
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
}
