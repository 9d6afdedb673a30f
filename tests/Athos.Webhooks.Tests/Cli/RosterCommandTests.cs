using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using CallId = Athos.Webhooks.AthosApi.CallId;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The roster mirror through the real <c>athos-webhooks</c> process: rep names in <c>calls list</c> and <c>calls show</c>,
/// <c>agencies import</c>, and <c>forget --agent</c> (with <c>--calls</c>) against real Azurite.
/// </summary>
public sealed class RosterCommandTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private AthosSimulator _simulator = null!;
    private IReadOnlyList<SimulatedCall> _calls = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dictionary<string, string?> Environment => new() { ["AzureWebJobsStorage"] = storage.ConnectionString };

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2729, FailureRate = 0, Contract = Athos.Simulator.AthosContract.Current });
        _calls = _simulator.AddCalls(12, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5));
        await using var app = await TestApp.StartAsync(StackSettings.For(_simulator, storage.Azurite));
        foreach (var call in _calls)
        {
            await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }), "m-" + call.Id, 1, Ct);
        }

        await app.Get<RosterSync>().RunAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Calls_list_and_calls_show_print_the_reps_name_from_the_mirror()
    {
        var call = _calls[0];
        var rep = _simulator.Roster.Find(call.AgentId)!;

        using var list = CliProcess.Start(["calls", "list", "--rep", call.ExternalUserId!, "--format", "table"], Environment);
        Assert.Equal(0, await list.WaitForExitAsync(Patience));
        using var show = CliProcess.Start(["calls", "show", call.Id, "--json"], Environment);
        Assert.Equal(0, await show.WaitForExitAsync(Patience));

        Assert.Contains($"{rep.FirstName} {rep.LastName} ({call.ExternalUserId})", list.Output, StringComparison.Ordinal);
        Assert.Equal($"{rep.FirstName} {rep.LastName}", JsonDocument.Parse(show.Output).RootElement.GetProperty("repName").GetString());
    }

    [Fact]
    public async Task Agencies_import_names_agencies_in_calls_show_and_a_bad_file_names_its_line_and_imports_nothing()
    {
        var call = _calls[0];
        var directory = Directory.CreateTempSubdirectory("athos-agencies-");
        try
        {
            var good = Path.Combine(directory.FullName, "agencies.csv");
            await File.WriteAllTextAsync(good, $"agencyId,name\r\n{call.AgencyId},\"Harbor Benefits, LLC\"\r\n", Ct);
            var bad = Path.Combine(directory.FullName, "bad.csv");
            await File.WriteAllTextAsync(bad, "agencyId,name\nathos_agency_x,One,Two\n", Ct);
            var tooLong = Path.Combine(directory.FullName, "long.csv");
            await File.WriteAllTextAsync(tooLong, $"agencyId,name\nathos_agency_fine,Fine\nathos_agency_long,{new string('n', 1001)}\n", Ct);

            using var rejected = CliProcess.Start(["agencies", "import", bad], Environment);
            Assert.Equal(2, await rejected.WaitForExitAsync(Patience));
            using var refused = CliProcess.Start(["agencies", "import", tooLong], Environment);
            Assert.Equal(2, await refused.WaitForExitAsync(Patience));
            Assert.Contains("line 3: the name is longer than 1000 characters.", refused.Error, StringComparison.Ordinal);
            Assert.False((await new TableClient(storage.ConnectionString, StorageNames.AgencyNamesTable).GetEntityIfExistsAsync<TableEntity>("agencyId", "athos_agency_fine", cancellationToken: Ct)).HasValue);
            using var imported = CliProcess.Start(["agencies", "import", good], Environment);
            Assert.Equal(0, await imported.WaitForExitAsync(Patience));
            using var show = CliProcess.Start(["calls", "show", call.Id, "--json"], Environment);
            Assert.Equal(0, await show.WaitForExitAsync(Patience));

            Assert.Contains("line 2: expected 2 columns (id,name), found 3.", rejected.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", rejected.Error, StringComparison.Ordinal);
            Assert.Equal("Imported 1 agency name(s) by agencyId; deleted 0.", imported.Output.Trim());
            Assert.Equal("Harbor Benefits, LLC", JsonDocument.Parse(show.Output).RootElement.GetProperty("agencyName").GetString());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Forget_agent_with_calls_after_the_mirror_row_is_gone_still_finds_every_call_of_the_rep()
    {
        var rep = _calls.GroupBy(c => c.AgentId).OrderByDescending(g => g.Count()).First();
        var theirs = rep.Select(c => c.Id).Order(StringComparer.Ordinal).ToList();

        // The row goes first (forget --agent alone); its platformAgentId with it, so the by-rep index cannot be trusted.
        using (var first = CliProcess.Start(["forget", "--agent", rep.Key], Environment))
        {
            Assert.Equal(0, await first.WaitForExitAsync(Patience));
        }

        using var forget = CliProcess.Start(["forget", "--agent", rep.Key, "--calls", "--format", "json"], Environment);
        Assert.Equal(0, await forget.WaitForExitAsync(Patience));
        var report = JsonDocument.Parse(forget.Output).RootElement;
        Assert.False(report.GetProperty("mirrorRowRemoved").GetBoolean());
        Assert.Equal(theirs, report.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Forget_agent_with_calls_erases_the_mirror_row_and_every_call_of_the_rep_and_nothing_else()
    {
        var rep = _calls.GroupBy(c => c.AgentId).OrderByDescending(g => g.Count()).First();
        var theirs = rep.Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
        var others = _calls.Where(c => c.AgentId != rep.Key).ToList();
        var tables = new TestTables(storage.ConnectionString);

        using var forget = CliProcess.Start(["forget", "--agent", rep.Key, "--calls", "--format", "json"], Environment);
        Assert.Equal(0, await forget.WaitForExitAsync(Patience));

        var report = JsonDocument.Parse(forget.Output).RootElement;
        Assert.True(report.GetProperty("mirrorRowRemoved").GetBoolean());
        Assert.Equal(theirs, report.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetString()!).Order(StringComparer.Ordinal));
        Assert.StartsWith("Athos keeps its own copy", forget.Error, StringComparison.Ordinal);
        var agents = new TableClient(storage.ConnectionString, StorageNames.AgentsTable);
        Assert.False((await agents.GetEntityIfExistsAsync<AgentRow>(rep.Key, string.Empty, cancellationToken: Ct)).HasValue);
        Assert.True((await agents.GetEntityIfExistsAsync<AgentRow>(others[0].AgentId, string.Empty, cancellationToken: Ct)).HasValue);
        foreach (var callId in theirs)
        {
            Assert.Equal(CallStatus.Erased, (await tables.MainAsync(callId))!.Status);
        }

        Assert.All(others, call => Assert.Equal(CallStatus.Scored, tables.MainAsync(call.Id).GetAwaiter().GetResult()!.Status));
    }

    [Fact]
    public async Task Forget_agent_without_calls_keeps_the_calls_and_a_stray_calls_flag_is_a_usage_error()
    {
        var call = _calls[0];
        var tables = new TestTables(storage.ConnectionString);

        using var stray = CliProcess.Start(["forget", call.Id, "--calls"], Environment);
        Assert.Equal(2, await stray.WaitForExitAsync(Patience));
        using var forget = CliProcess.Start(["forget", "--agent", call.AgentId], Environment);
        Assert.Equal(0, await forget.WaitForExitAsync(Patience));

        Assert.Contains("--calls goes with --agent", stray.Error, StringComparison.Ordinal);
        Assert.Equal($"removed  AthosAgents: row {call.AgentId}{System.Environment.NewLine}Erased 0 call(s) of {call.AgentId}.", forget.Output.Trim());
        Assert.Equal(CallStatus.Scored, (await tables.MainAsync(call.Id))!.Status);
    }
}
