using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// How <c>doctor</c> prints its checks: one line each as it runs (<c>ok</c>, <c>FAIL</c>, <c>skip</c>) and a verdict,
/// or, for scripts, one JSON object once all have run.
/// </summary>
internal sealed class DoctorOutput(TextWriter output, OutputFormat format)
{
    private readonly List<DoctorCheck> _checks = [];

    public int Failures => _checks.Count(c => c.Result == DoctorCheck.Fail);

    public void Add(string result, string message)
    {
        _checks.Add(new DoctorCheck(result, message));
        if (format == OutputFormat.Table)
        {
            output.WriteLine($"{(result == DoctorCheck.Fail ? "FAIL" : result),-4}  {message}");
        }
    }

    public void Complete()
    {
        if (format == OutputFormat.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new DoctorReport(Failures == 0, Failures, _checks), DoctorJsonContext.Default.DoctorReport));
            return;
        }

        output.WriteLine(Failures == 0 ? "All checks passed." : $"{Failures} check(s) failed.");
    }
}

/// <summary>What <c>doctor --format json</c> prints: whether every check passed, and each check in the order it ran.</summary>
internal sealed record DoctorReport(bool Passed, int Failures, IReadOnlyList<DoctorCheck> Checks);

/// <summary>One check: <c>result</c> is <c>ok</c>, <c>fail</c> or <c>skip</c>; <c>message</c> says what passed, or what to fix.</summary>
internal sealed record DoctorCheck(string Result, string Message)
{
    public const string Ok = "ok";
    public const string Fail = "fail";
    public const string Skip = "skip";
}

/// <summary>The JSON <c>doctor</c> prints: camelCase, indented, absent values left out, as the other commands' (<see cref="OutputFormat.Json"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DoctorReport))]
internal sealed partial class DoctorJsonContext : JsonSerializerContext;
