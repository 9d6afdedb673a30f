using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The Functions app's HTTP triggers' entry to the endpoints the local runner maps too. The backfiller, which holds the
/// Athos client, is made only for the backfill routes: a webhook or a health probe needs neither it nor the Athos settings.
/// </summary>
internal sealed class AthosHttpHandlers(WebhookReceiver receiver, PipelineHealth health, Func<Backfiller> backfiller) : IAthosHttpHandlers
{
    public async Task<IActionResult> ReceiveWebhookAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await WebhookHttpEndpoint.HandleAsync(request, receiver, cancellationToken);

    public async Task<IActionResult> CheckHealthAsync(CancellationToken cancellationToken) =>
        await HealthHttpEndpoint.HandleAsync(health, cancellationToken);

    public async Task<IActionResult> StartBackfillAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await BackfillHttpEndpoint.StartAsync(request, backfiller(), cancellationToken);

    public async Task<IActionResult> GetBackfillAsync(string jobId, CancellationToken cancellationToken) =>
        await BackfillHttpEndpoint.GetAsync(jobId, backfiller(), cancellationToken);
}
