using System.Text.RegularExpressions;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Storage;

/// <summary>The OData filters in docs/schema.md, run against tables the product wrote: the docs match the code.</summary>
public sealed partial class SchemaDocumentationTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Every_documented_filter_returns_what_its_heading_promises()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 8 }, cancellationToken: TestContext.Current.CancellationToken);
        var day = new DateTimeOffset(2026, 6, 5, 14, 40, 17, TimeSpan.Zero);
        var documented = Call(simulator, "athos_call_GZ1DjOkZv_VEPoE-CJ8mp", "rep_8842", "agency_chicago", day);
        var sameRepEarlier = Call(simulator, "athos_call_earlier", "rep_8842", "agency_chicago", day.AddDays(-10));
        var otherAgencySameDay = Call(simulator, "athos_call_dallas", "rep_9000", "agency_dallas", day.AddHours(-3));
        var outsideRange = Call(simulator, "athos_call_july", "rep_7000", "agency_chicago", day.AddDays(30));
        // Stored from 14:45 UTC that day, a minute apart: the change feed's example reads after the first.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 5, 14, 45, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(StackSettings.For(simulator, storage.Azurite), services => services.AddSingleton<TimeProvider>(clock));
        foreach (var call in new[] { documented, sameRepEarlier, otherAgencySameDay, outsideRange })
        {
            await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }), call.Id, 1, TestContext.Current.CancellationToken);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var examples = DocumentedFilters(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "schema.md"), TestContext.Current.CancellationToken));

        Assert.Equal(5, examples.Count);
        var service = new TableServiceClient(storage.ConnectionString);
        async Task<List<string>> Run(string heading)
        {
            var (table, filter) = examples[heading];
            var ids = new List<string>();
            await foreach (var row in service.GetTableClient(table).QueryAsync<TableEntity>(filter, cancellationToken: TestContext.Current.CancellationToken))
            {
                ids.Add(row.GetString("CallId"));
            }

            return ids;
        }

        Assert.Equal([documented.Id], await Run("One call"));
        Assert.Equal([documented.Id, sameRepEarlier.Id], await Run("A rep's latest 20 calls"));
        Assert.Equal([documented.Id, otherAgencySameDay.Id], await Run("All calls of a day"));
        Assert.Equal([documented.Id], await Run("One agency's calls in a date range"));
        Assert.Equal([sameRepEarlier.Id, otherAgencySameDay.Id, outsideRange.Id], await Run("Changes after a checkpoint"));
        Assert.Equal(StorageNames.CallsTable, examples["One call"].Table);
    }

    private static SimulatedCall Call(AthosSimulator simulator, string id, string rep, string agency, DateTimeOffset endedAt)
    {
        var call = simulator.Generator.Rescore(simulator.Generator.Generate(endedAt), endedAt.AddMinutes(1)) with { Id = id, ExternalUserId = rep, ExternalAgencyId = agency };
        simulator.Calls.Add(call);
        return call;
    }

    private static Dictionary<string, (string Table, string Filter)> DocumentedFilters(string markdown) =>
        Example().Matches(markdown).ToDictionary(m => m.Groups["heading"].Value.Trim(), m => (m.Groups["table"].Value, m.Groups["filter"].Value.Trim()));

    [GeneratedRegex(@"### (?<heading>[^\n]+)\n(?:(?!###).)*?Table `(?<table>\w+)`, filter[^\n]*\n\n```odata\n(?<filter>[^`]+)```", RegexOptions.Singleline)]
    private static partial Regex Example();
}
