
namespace Athos.Webhooks.UnitTests;

/// <summary>The key schemes of the call tables (docs/schema.md): what consumers' queries rely on.</summary>
public sealed class TableKeysTests
{
    [Fact]
    public void Index_row_keys_sort_newest_first_and_keep_calls_at_the_same_instant_apart()
    {
        var t = new DateTimeOffset(2026, 6, 5, 14, 40, 17, 536, TimeSpan.Zero);
        var keys = new[]
        {
            TableKeys.NewestFirstRowKey(t.AddMinutes(-1), "athos_call_old"),
            TableKeys.NewestFirstRowKey(t, "athos_call_b"),
            TableKeys.NewestFirstRowKey(t, "athos_call_a"),
            TableKeys.NewestFirstRowKey(t.AddMinutes(1), "athos_call_new"),
        };

        Assert.Equal(["athos_call_new", "athos_call_a", "athos_call_b", "athos_call_old"], keys.Order(StringComparer.Ordinal).Select(k => k[20..]));
        Assert.All(keys, k => Assert.Matches("^[0-9]{19}_athos_call_", k));
        Assert.Equal((DateTime.MaxValue.Ticks - t.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "_athos_call_a", keys[2]);
    }

    [Theory]
    [InlineData("2026-06-05T23:30:00-02:00", "2026-06-06")]
    [InlineData("2026-06-06T00:30:00+02:00", "2026-06-05")]
    [InlineData("2026-06-05T23:59:59.9999999Z", "2026-06-05")]
    [InlineData("2026-06-06T00:00:00Z", "2026-06-06")]
    public void The_day_partition_is_the_UTC_date(string time, string day) =>
        Assert.Equal(day, TableKeys.Day(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("rep_8842", "rep_8842")]
    [InlineData("rep/1", "rep%2F1")]
    [InlineData("a\\b#c?d%e", "a%5Cb%23c%3Fd%25e")]
    [InlineData("tab\tline", "tab%09line")]
    [InlineData("Zoë Müller", "Zoë Müller")]
    [InlineData("athos_agent_123", "athos_agent_123")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Rep_ids_become_partition_keys_with_only_the_refused_characters_escaped(string? repId, string? partition) =>
        Assert.Equal(partition, TableKeys.UserPartition(repId));

    [Fact]
    public void A_rep_id_too_long_for_a_key_is_not_indexed()
    {
        Assert.NotNull(TableKeys.UserPartition(new string('r', TableKeys.MaxPartitionKeyLength)));
        Assert.Null(TableKeys.UserPartition(new string('r', TableKeys.MaxPartitionKeyLength + 1)));
    }
}
