using Athos.Webhooks.Cli.Output;

namespace Athos.Webhooks.UnitTests;

/// <summary><c>calls show</c> as a table: a line per column of <c>CallView</c>, the same columns as its JSON.</summary>
public sealed class CallShowTests
{
    private static readonly DateTimeOffset Ended = new(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_table_has_a_line_per_CallView_column_in_its_order_named_as_it_is()
    {
        var output = new StringWriter();

        CallOutput.WriteOne(output, Row(), OutputFormat.Table, RepNames.None);

        var names = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]);
        Assert.Equal(typeof(CallView).GetConstructors().Single().GetParameters().Select(p => p.Name), names);
    }

    [Fact]
    public void The_table_prints_each_value_as_before_times_in_ISO_8601_and_numbers_invariant()
    {
        var output = new StringWriter();

        CallOutput.WriteOne(output, Row(), OutputFormat.Table, RepNames.None);

        string[] expected =
        [
            "CallId               athos_call_show01",
            "Status               scored",
            "Source               roleplay",
            "ExternalUserId       rep_a",
            "ExternalAgencyId     agency_chicago",
            "AgentId              ",
            "AgencyId             ",
            "DrillKey             ma-full-sale",
            "StartedAt            2026-03-10T14:54:00.0000000+00:00",
            "EndedAt              2026-03-10T15:00:00.0000000+00:00",
            "DurationSec          360",
            "ScoredAt             2026-03-10T16:00:00.0000000+00:00",
            "OverallScore         87.5",
            "Summary              Strong close.",
            "Feedback             ",
            "ComplianceTotalScore 0.75",
            "FailureReason        ",
            "FailureMessage       ",
            "FailedAt             ",
            "AthosUpdatedAt       2026-03-10T16:00:00.0000000+00:00",
            "EnrichedAt           2026-03-11T15:01:00.0000000+00:00",
            "RecordingStatus      archived",
            "RecordingError       ",
            "Truncated            ",
            "SchemaVersion        2",
            "RepName              ",
            "AgencyName           ",
        ];
        Assert.Equal(expected, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private static CallRow Row() => new()
    {
        CallId = "athos_call_show01",
        Status = CallStatus.Scored,
        Source = "roleplay",
        ExternalUserId = "rep_a",
        ExternalAgencyId = "agency_chicago",
        DrillKey = "ma-full-sale",
        StartedAt = Ended.AddMinutes(-6),
        EndedAt = Ended,
        DurationSec = 360,
        ScoredAt = Ended.AddHours(1),
        AthosUpdatedAt = Ended.AddHours(1),
        OverallScore = 87.5,
        Summary = "Strong close.",
        ComplianceTotalScore = 0.75,
        EnrichedAt = Ended.AddDays(1).AddMinutes(1),
        RecordingStatus = RecordingStatus.Archived,
        SchemaVersion = 2,
    };
}
