using Athos.Webhooks.Storage;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>Runs a command body against storage, turning configuration and storage failures into one clear line.</summary>
internal static class StorageCommand
{
    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter error, Func<IServiceProvider, Task<int>> body)
    {
        await using var services = CliServices.Build(configuration);
        try
        {
            return await body(services);
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                await error.WriteLineAsync(failure);
            }

            return 2;
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            var first = ex is AggregateException aggregate ? aggregate.InnerExceptions[0] : ex;
            await error.WriteLineAsync($"Storage failed or is unreachable: {first.Message.Split('\n')[0]} Check AzureWebJobsStorage, and run `athos-webhooks doctor`.");
            return 1;
        }
    }
}
