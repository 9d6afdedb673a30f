namespace Athos.Webhooks.Exports;

/// <summary>
/// A test's way to kill <c>athos-webhooks export</c> at the one point that matters for exactly-once: its files
/// committed, its checkpoint not yet moved. With <see cref="HaltVariable"/> set to a file path in the process's
/// environment, the export creates that file there and waits forever, for the test to kill it (SIGKILL). Nothing else
/// reads the variable; a deployment never sets it.
/// </summary>
internal static class ExportCrashPoint
{
    public const string HaltVariable = "ATHOS_TEST_EXPORT_HALT_AFTER_COMMIT";

    public static void AfterCommit()
    {
        if (Environment.GetEnvironmentVariable(HaltVariable) is { Length: > 0 } flag)
        {
            File.WriteAllBytes(flag, []);
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
