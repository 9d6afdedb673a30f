using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// <c>serve --demo</c> writes simulated calls and takes the reconcile lease: the real process refuses any storage but
/// the local emulator unless <c>--demo-storage-anywhere</c> says otherwise.
/// </summary>
public sealed class DemoStorageGuardTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    // Azurite's published development key: not a secret, but it must not be echoed either.
    private const string EmulatorKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string ProductionKey = "cHJvZHVjdGlvbmtleXByb2R1Y3Rpb25rZXlwcm9kdWN0aW9ua2V5cHJvZA==";

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string, string?, string?, string> Refused => new()
    {
        { "a production account", $"DefaultEndpointsProtocol=https;AccountName=contosoprod;AccountKey={ProductionKey};EndpointSuffix=core.windows.net", null, "'contosoprod'" },
        { "another account on loopback", $"DefaultEndpointsProtocol=http;AccountName=contosoprod;AccountKey={ProductionKey};BlobEndpoint=http://127.0.0.1:10000/contosoprod;QueueEndpoint=http://127.0.0.1:10001/contosoprod;TableEndpoint=http://127.0.0.1:10002/contosoprod;", null, "'contosoprod'" },
        { "devstoreaccount1 on another host", Emulator("10.20.30.40"), null, "on 10.20.30.40" },
        { "devstoreaccount1 with cloud endpoints", $"DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey={EmulatorKey};EndpointSuffix=core.windows.net", null, "no BlobEndpoint on this machine" },
        { "identity-based settings", null, "contosoprod", "identity-based" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task The_demo_refuses_storage_that_is_not_the_local_emulator(string why, string? connectionString, string? accountName, string reason)
    {
        using var cli = CliProcess.Start(["serve", "--demo", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["AzureWebJobsStorage__accountName"] = accountName,
        });

        var exit = await cli.WaitForExitAsync(ExitTimeout);

        Assert.True(exit == 2, $"{why}: exit {exit}; errors:\n{cli.Error}");
        Assert.Contains("AzureWebJobsStorage", cli.Error, StringComparison.Ordinal);
        Assert.Contains("--demo-storage-anywhere", cli.Error, StringComparison.Ordinal);
        Assert.Contains(reason, cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(ProductionKey, cli.Error + cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Webhook endpoint", cli.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task The_demo_runs_on_the_emulator_whatever_its_ports(string host)
    {
        await storage.ResetAsync();
        var connectionString = storage.ConnectionString.Replace("127.0.0.1", host, StringComparison.Ordinal);
        using var cli = CliProcess.Start(["serve", "--demo", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString });

        await cli.WaitForOutputAsync("Webhook endpoint: POST http://127.0.0.1:", ExitTimeout);

        Assert.DoesNotContain("--demo-storage-anywhere", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_flag_the_demo_goes_ahead_with_other_storage()
    {
        // Another account, on a closed port: past the guard, the runner finds it unreachable and says so.
        var elsewhere = $"DefaultEndpointsProtocol=http;AccountName=contosoprod;AccountKey={ProductionKey};BlobEndpoint=http://127.0.0.1:9/contosoprod;QueueEndpoint=http://127.0.0.1:9/contosoprod;TableEndpoint=http://127.0.0.1:9/contosoprod;";
        using var cli = CliProcess.Start(["serve", "--demo", "--demo-storage-anywhere", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string?> { ["AzureWebJobsStorage"] = elsewhere });

        var exit = await cli.WaitForExitAsync(ExitTimeout);

        Assert.True(exit == 1, $"exit {exit}; errors:\n{cli.Error}");
        Assert.Contains("Storage failed or is unreachable", cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--demo-storage-anywhere", cli.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", true)]
    [InlineData("usedevelopmentstorage=TRUE;", true)]
    [InlineData("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://proxy.example.com", false)]
    [InlineData("UseDevelopmentStorage=false", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("[::1]", true)]
    [InlineData("127.0.0.2", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("devstoreaccount1.blob.core.windows.net", false)]
    [InlineData("localhost.contoso.com", false)]
    public void Only_the_emulator_on_a_loopback_host_is_the_emulator(string connectionStringOrHost, bool emulator)
    {
        var connectionString = connectionStringOrHost.Contains('=', StringComparison.Ordinal) ? connectionStringOrHost : Emulator(connectionStringOrHost);

        Assert.Equal(emulator, DemoStorage.RefusalReason(connectionString) is null);
    }

    [Fact]
    public void Identity_based_storage_is_never_the_emulator() =>
        Assert.Contains("identity-based", DemoStorage.RefusalReason(null), StringComparison.Ordinal);

    private static string Emulator(string host) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={EmulatorKey};BlobEndpoint=http://{host}:10000/devstoreaccount1;QueueEndpoint=http://{host}:10001/devstoreaccount1;TableEndpoint=http://{host}:10002/devstoreaccount1;";
}
