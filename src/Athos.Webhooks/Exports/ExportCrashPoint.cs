namespace Athos.Webhooks.Exports;

/// <summary>
/// A test's way to kill <c>athos-webhooks export</c> at the one point that matters for exactly-once: its files
/// committed, its checkpoint not yet moved. With <see cref="HaltVariable"/> set to <c>1</c> in the process's
/// environment, the export says so on standard error and waits there forever, for the test to kill it (SIGKILL).
/// Nothing else reads the variable; a deployment never sets it.
/// </summary>
internal static class ExportCrashPoint
{
    public const string HaltVariable = "ATHOS_TEST_EXPORT_HALT_AFTER_COMMIT";

    /// <summary>What the halted process writes, for the test to wait on.</summary>
    public const string HaltedLine = "export: halted after commit, before the checkpoint (ATHOS_TEST_EXPORT_HALT_AFTER_COMMIT)";

    public static void AfterCommit()
    {
        if (Environment.GetEnvironmentVariable(HaltVariable) == "1")
        {
            Console.Error.WriteLine(HaltedLine);
            Console.Error.Flush();
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
