using Athos.Webhooks.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

FunctionsAppComposition.Configure(FunctionsApplication.CreateBuilder(args)).Build().Run();
