using Athos.Webhooks.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights();
builder.Services.AddAthosWebhooks(builder.Configuration);

// The Azure SDK logs every storage request at Information; keep its warnings and errors only.
builder.Logging.AddFilter("Azure", LogLevel.Warning);

builder.Build().Run();
