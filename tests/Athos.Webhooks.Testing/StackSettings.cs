using Athos.Simulator;

namespace Athos.Webhooks.Testing;

/// <summary>The app settings a deployment against a simulator and an Azurite would have, for the tests and the bench.</summary>
public static class StackSettings
{
    /// <summary>Flat app settings, as Azure gives them; without a simulator or an Azurite, placeholders that validate.</summary>
    public static Dictionary<string, string?> For(AthosSimulator? simulator, AzuriteInstance? azurite) => new()
    {
        ["ATHOS_API_KEY"] = simulator?.ApiKey ?? "ath_live_test",
        ["ATHOS_BASE_URL"] = simulator?.BaseUrl.ToString(),
        ["ATHOS_WHSEC"] = simulator?.WebhookSecret ?? "whsec_test",
        ["AzureWebJobsStorage"] = azurite?.ConnectionString ?? "UseDevelopmentStorage=true",
        // What a reconcile queues is read at once; the delay that lets a webhook go first is tested on its own.
        ["ATHOS_RECONCILE_QUEUE_DELAY"] = "00:00:00",
    };
}
