using System.Text.Json;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.Functions;

/// <summary>
/// The local.settings.json the end-to-end tests give <c>func start</c> (<see cref="FunctionsHostProcess"/>): what can be
/// checked here, where Core Tools cannot run.
/// </summary>
public sealed class FunctionsHostSettingsTests
{
    [Fact]
    public void The_Functions_host_gets_the_isolated_worker_its_Azurite_and_every_app_setting_of_the_test()
    {
        var settings = StackSettings.For(null, null);
        settings["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;QueueEndpoint=http://127.0.0.1:40001/devstoreaccount1;";
        settings["ATHOS_BASE_URL"] = null;

        using var json = JsonDocument.Parse(FunctionsHostProcess.LocalSettingsJson(settings));
        var values = json.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

        Assert.False(json.RootElement.GetProperty("IsEncrypted").GetBoolean());
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal(settings["AzureWebJobsStorage"], values["AzureWebJobsStorage"]);
        // Every setting with a value, and no empty one for a setting left unset (the app's default applies).
        Assert.Equal(settings.Where(s => s.Value is not null).Select(s => s.Key).Append("FUNCTIONS_WORKER_RUNTIME").Order(StringComparer.Ordinal), values.Keys.Order(StringComparer.Ordinal));
    }
}
