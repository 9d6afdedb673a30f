using System.Globalization;
using Athos.Simulator;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Data.Tables;
using AthosContract = Athos.Webhooks.AthosApi.AthosContract;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The trailing rescan on a short schedule, as a new user tries it, through the local runner and the simulator: every
/// occurrence may start a rescan (not one a day), one at a time, each keyed by the occurrence it ran for.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class RescanScheduleEndToEndTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task On_a_short_schedule_a_real_call_re_dispositioned_without_a_webhook_is_re_read_by_a_later_occurrence()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2404, FailureRate = 0, Contract = Athos.Simulator.AthosContract.Current }, cancellationToken: TestContext.Current.CancellationToken);
        var call = AddRealCall(simulator, DateTimeOffset.UtcNow.AddDays(-3));
        var settings = StackSettings.For(simulator, storage.Azurite);
        settings[ReconcileOptions.ScheduleSetting] = "0 0 0 1 1 *";
        settings[ReconcileOptions.RescanScheduleSetting] = "*/2 * * * * *";
        settings[ReconcileOptions.RescanWindowSetting] = "7.00:00:00";
        // Real calls are listed once Athos has shown the current contract (a reconcile or a fetched detail would tell it).
        await new ReconcileStateStore(new TableServiceClient(storage.ConnectionString)).SaveContractAsync(AthosContract.Current, TestContext.Current.CancellationToken);
        await using var runner = await InProcessRunner.StartAsync(settings, cancellationToken: TestContext.Current.CancellationToken);
        var tables = new TestTables(storage.ConnectionString);

        // A rescan finds the call missing and stores it; then the dialer re-dispositions it, and Athos sends no webhook.
        var stored = await WaitForAsync(async () => await tables.MainAsync(call.Id), row => row is not null, "a rescan stores the call");
        Assert.Equal(call.ScoredAt, stored!.ScoredAt);
        var redisposed = simulator.Redisposition(call.Id);
        var reRead = await WaitForAsync(async () => await tables.MainAsync(call.Id), row => row!.ScoredAt == redisposed.ScoredAt, "a later rescan re-reads the re-dispositioned call");

        Assert.Equal(redisposed.OverallScore == 0 ? null : redisposed.OverallScore, reRead!.OverallScore);
        Assert.Empty(simulator.Webhooks.Deliveries);
        var jobs = await RescanJobsAsync();
        Assert.True(jobs.Count >= 2, $"several rescans ran ({jobs.Count})");
        // Each job is named by an occurrence of the schedule (an even second), and each started after the one before ended.
        Assert.All(jobs, job =>
        {
            var occurrence = DateTimeOffset.ParseExact(job.JobId["rs_".Length..], "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            Assert.Equal(0, occurrence.Second % 2);
            // Started when its occurrence came (a timer may wake a little before the wall clock says so).
            Assert.InRange(job.CreatedAt, occurrence.AddSeconds(-1), occurrence + Patience);
        });
        foreach (var (before, after) in jobs.Zip(jobs.Skip(1)))
        {
            Assert.True(before.CompletedAt is { } ended && ended <= after.CreatedAt, $"{after.JobId} started ({after.CreatedAt:o}) after {before.JobId} ended ({before.CompletedAt:o})");
        }
    }

    private async Task<List<BackfillJob>> RescanJobsAsync()
    {
        var state = new TableClient(storage.ConnectionString, StorageNames.StateTable);
        var jobs = new List<BackfillJob>();
        await foreach (var job in state.QueryAsync<BackfillJob>(j => j.PartitionKey == BackfillJob.Partition && j.Kind == BackfillKind.Rescan, cancellationToken: TestContext.Current.CancellationToken))
        {
            jobs.Add(job);
        }

        return [.. jobs.OrderBy(j => j.CreatedAt)];
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what} within {Patience.TotalSeconds:0} s");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    private static SimulatedCall AddRealCall(AthosSimulator simulator, DateTimeOffset endedAt)
    {
        // Athos's timestamps have millisecond precision.
        endedAt = new DateTimeOffset(endedAt.UtcTicks - (endedAt.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var call = simulator.Generator.Generate(endedAt);
        call = (call.State == CallState.Scored ? call : simulator.Generator.Rescore(call, endedAt.AddMinutes(1))) with
        {
            Source = SimulatedCall.RealCallSource,
            DrillKey = null,
            StartedAt = endedAt.AddMinutes(-20),
            EndedAt = endedAt,
            CreatedAt = endedAt.AddMinutes(-20),
            ScoredAt = endedAt.AddMinutes(1),
            UpdatedAt = endedAt.AddMinutes(1),
        };
        simulator.Calls.Add(call);
        return call;
    }
}
