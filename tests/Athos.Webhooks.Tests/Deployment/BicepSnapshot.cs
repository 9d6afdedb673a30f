using System.Text.Json;

namespace Athos.Webhooks.Tests.Deployment;

/// <summary>
/// infra/main.bicep evaluated offline for a set of parameters (<c>bicep snapshot</c>): every resource the deployment
/// would create, with conditions, loops and parameter values resolved, so a test can assert what a given choice of
/// parameters really deploys.
/// </summary>
internal sealed class BicepSnapshot
{
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000000";
    public const string ResourceGroup = "rg-athos-test";

    private readonly List<JsonElement> _resources;

    private BicepSnapshot(List<JsonElement> resources) => _resources = resources;

    /// <summary>Evaluates main.bicep with the secrets and name filled in and <paramref name="parameters"/> (Bicep literals).</summary>
    public static async Task<BicepSnapshot> CreateAsync(params (string Name, string BicepValue)[] parameters)
    {
        var directory = Directory.CreateTempSubdirectory("athos-bicep-snapshot-");
        try
        {
            var file = Path.Combine(directory.FullName, "test.bicepparam");
            var main = Path.GetRelativePath(directory.FullName, BicepCli.MainTemplate).Replace('\\', '/');
            var lines = new List<string>
            {
                $"using '{main}'",
                "param environmentName = 'athos-test'",
                "param location = 'eastus2'",
                "param athosApiKey = 'ath_live_test_0123456789abcdef'",
                "param athosWebhookSecret = 'whsec_test_0123456789abcdef'",
            };
            lines.AddRange(parameters.Select(p => $"param {p.Name} = {p.BicepValue}"));
            await File.WriteAllLinesAsync(file, lines);

            var (exit, output, error) = await BicepCli.RunAsync("snapshot", file, "--subscription-id", SubscriptionId, "--resource-group", ResourceGroup, "--location", "eastus2");
            var snapshot = Path.Combine(directory.FullName, "test.snapshot.json");
            if (exit != 0 || !File.Exists(snapshot))
            {
                throw new InvalidOperationException($"bicep snapshot failed ({exit}):\n{output}\n{error}");
            }

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(snapshot));
            return new BicepSnapshot([.. document.RootElement.GetProperty("predictedResources").EnumerateArray().Select(r => r.Clone())]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    public IEnumerable<JsonElement> All(string type) => _resources.Where(r => r.GetProperty("type").GetString() == type);

    public JsonElement Single(string type) => Assert.Single(All(type));

    public JsonElement Properties(string type) => Single(type).GetProperty("properties");

    /// <summary>The resource of a type whose id ends with <paramref name="idSuffix"/>.</summary>
    public JsonElement ById(string type, string idSuffix) => Assert.Single(All(type), r => Id(r).EndsWith(idSuffix, StringComparison.Ordinal));

    public static string Id(JsonElement resource) => resource.GetProperty("id").GetString()!;
}
