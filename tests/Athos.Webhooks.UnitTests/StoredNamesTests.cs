using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// Every enum's stored names (docs/schema.md): each value writes the name earlier versions wrote, each name reads back
/// as its value, legacy spellings still read, and an unknown name is refused saying what it is (or, for a change
/// kind, read as a rescore).
/// </summary>
public sealed class StoredNamesTests
{
    public static TheoryData<string, string> WorkOutcomes => new()
    {
        { nameof(WorkOutcome.Stored), "stored" },
        { nameof(WorkOutcome.Unchanged), "unchanged" },
        { nameof(WorkOutcome.NotFound), "not_found" },
        { nameof(WorkOutcome.FailureRecorded), "failure_recorded" },
        { nameof(WorkOutcome.FailureIgnored), "failure_ignored" },
        { nameof(WorkOutcome.Duplicate), "duplicate" },
        { nameof(WorkOutcome.PageProcessed), "page_processed" },
        { nameof(WorkOutcome.Deferred), "deferred" },
        { nameof(WorkOutcome.Parked), "parked" },
        { nameof(WorkOutcome.Replayed), "replayed" },
        { nameof(WorkOutcome.Erased), "erased" },
    };

    public static TheoryData<string, string> WorkOrigins => new()
    {
        { nameof(WorkOrigin.Webhook), "webhook" },
        { nameof(WorkOrigin.Reconcile), "reconcile" },
        { nameof(WorkOrigin.Backfill), "backfill" },
        { nameof(WorkOrigin.Redrive), "redrive" },
        { nameof(WorkOrigin.Rescan), "rescan" },
    };

    public static TheoryData<string, string> ReconcileOutcomes => new()
    {
        { nameof(ReconcileOutcome.Succeeded), "Succeeded" },
        { nameof(ReconcileOutcome.Failed), "Failed" },
        { nameof(ReconcileOutcome.Skipped), "Skipped" },
        { nameof(ReconcileOutcome.Partial), "Partial" },
    };

    public static TheoryData<string, string> Contracts => new()
    {
        { nameof(AthosContract.Early), "early" },
        { nameof(AthosContract.Current), "current" },
    };

    public static TheoryData<string, string> DiscrepancyKinds => new()
    {
        { nameof(DiscrepancyKind.Missing), "missing" },
        { nameof(DiscrepancyKind.Older), "older" },
        { nameof(DiscrepancyKind.Newer), "newer" },
        { nameof(DiscrepancyKind.DifferentValues), "different_values" },
        { nameof(DiscrepancyKind.StaleKeys), "stale_keys" },
        { nameof(DiscrepancyKind.Orphan), "orphan" },
    };

    public static TheoryData<CallChangeKind, string> ChangeKindNames => new()
    {
        { CallChangeKind.Created, "created" },
        { CallChangeKind.Rescored, "rescored" },
        { CallChangeKind.ScoredAfterFailure, "scored_after_failure" },
        { CallChangeKind.Failed, "failed" },
        { CallChangeKind.Erased, "erased" },
    };

    [Theory]
    [MemberData(nameof(WorkOutcomes))]
    public void A_work_outcome_round_trips_through_its_stored_name(string member, string name)
    {
        var value = Enum.Parse<WorkOutcome>(member);
        AssertRoundTrip(WorkOutcomeNames.Names, value, name, value.ToStorageName());
    }

    [Theory]
    [MemberData(nameof(WorkOrigins))]
    public void A_work_origin_round_trips_through_its_stored_name_and_the_queue_message(string member, string name)
    {
        var value = Enum.Parse<WorkOrigin>(member);
        AssertRoundTrip(WorkOriginNames.Names, value, name, value.ToStorageName());

        var message = WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = value, CallId = CallId.Parse("athos_call_a") }).ToString();
        Assert.Contains($"\"origin\":\"{name}\"", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ReconcileOutcomes))]
    public void A_reconcile_outcome_round_trips_through_its_stored_name(string member, string name)
    {
        var value = Enum.Parse<ReconcileOutcome>(member);
        AssertRoundTrip(ReconcileOutcomeNames.Names, value, name, ReconcileOutcomeNames.Names.NameOf(value));
    }

    [Theory]
    [MemberData(nameof(ReconcileOutcomes))]
    public void A_reconcile_outcome_is_written_in_a_sources_json_by_its_stored_name(string member, string name)
    {
        var value = Enum.Parse<ReconcileOutcome>(member);
        var json = System.Text.Json.JsonSerializer.Serialize<IReadOnlyList<SourceRun>>([new SourceRun("roleplay", value)], ReconcileJsonContext.Default.IReadOnlyListSourceRun);

        Assert.Equal($"[{{\"source\":\"roleplay\",\"status\":\"{name}\",\"pages\":0,\"listed\":0,\"missing\":0,\"stale\":0,\"pending\":0,\"skippedIds\":0,\"queued\":0}}]", json);
        Assert.Equal(value, Assert.Single(System.Text.Json.JsonSerializer.Deserialize(json, ReconcileJsonContext.Default.IReadOnlyListSourceRun)!).Status);
    }

    [Theory]
    [MemberData(nameof(Contracts))]
    public void A_contract_round_trips_through_its_stored_name_and_reads_in_any_case(string member, string name)
    {
        var value = Enum.Parse<AthosContract>(member);
        AssertRoundTrip(AthosContractNames.Names, value, name, value.ToStorageName());
        Assert.Equal(value, AthosContractNames.Parse(name.ToUpperInvariant()));
    }

    [Theory]
    [MemberData(nameof(DiscrepancyKinds))]
    public void A_discrepancy_kind_round_trips_through_its_printed_name(string member, string name)
    {
        var value = Enum.Parse<DiscrepancyKind>(member);
        AssertRoundTrip(DiscrepancyKindNames.Names, value, name, new Discrepancy("athos_call_a", StorageNames.CallsTable, value, null, "").KindName);
    }

    [Theory]
    [MemberData(nameof(ChangeKindNames))]
    public void A_change_kind_round_trips_through_its_stored_name(CallChangeKind value, string name)
    {
        Assert.Equal(name, CallChangeKindNames.NameOf(value));
        Assert.Equal(value, CallChangeKindNames.Read(name));
    }

    [Fact]
    public void Every_change_kind_has_a_stored_name() =>
        Assert.Equal(Enum.GetValues<CallChangeKind>().Length, Enum.GetValues<CallChangeKind>().Select(CallChangeKindNames.NameOf).Distinct(StringComparer.Ordinal).Count());

    [Theory]
    [InlineData("void")]
    [InlineData("teleported")]
    [InlineData(null)]
    public void A_change_kind_this_version_does_not_know_reads_as_a_rescore(string? name) =>
        Assert.Equal(CallChangeKind.Rescored, CallChangeKindNames.Read(name));

    [Fact]
    public void An_unknown_stored_name_is_refused_naming_it_and_the_names_expected()
    {
        var error = Assert.Throws<FormatException>(() => ReconcileOutcomeNames.Names.Parse("succeeded"));

        Assert.Equal("'succeeded' is not a stored ReconcileOutcome (expected Succeeded, Failed, Skipped, Partial).", error.Message);
        Assert.Throws<FormatException>(() => AthosContractNames.Parse("later"));
        Assert.Null(WorkOriginNames.Names.Find("Webhook"));
    }

    [Fact]
    public void A_legacy_name_is_read_and_never_written()
    {
        var names = new StoredNames<AthosContract>([(AthosContract.Early, "early"), (AthosContract.Current, "current")], legacy: [("later", AthosContract.Current)]);

        Assert.Equal(AthosContract.Current, names.Parse("later"));
        Assert.Equal("current", names.NameOf(AthosContract.Current));
    }

    [Fact]
    public void A_map_that_leaves_a_value_unnamed_is_refused_when_declared() =>
        Assert.Contains("Partial", Assert.Throws<InvalidOperationException>(() => new StoredNames<ReconcileOutcome>([(ReconcileOutcome.Succeeded, "Succeeded"), (ReconcileOutcome.Failed, "Failed"), (ReconcileOutcome.Skipped, "Skipped")])).Message, StringComparison.Ordinal);

    private static void AssertRoundTrip<TEnum>(StoredNames<TEnum> names, TEnum value, string name, string written)
        where TEnum : struct, Enum
    {
        Assert.Equal(name, written);
        Assert.Equal(value, names.Parse(name));
    }
}
