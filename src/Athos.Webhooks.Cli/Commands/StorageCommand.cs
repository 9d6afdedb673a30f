using Azure;
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
        catch (RequestFailedException ex)
        {
            await error.WriteLineAsync($"Storage request failed ({ex.Status} {ex.ErrorCode}): {ex.Message.Split('\n')[0]} Check AzureWebJobsStorage, and run `athos-webhooks doctor`.");
            return 1;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is RequestFailedException))
        {
            await error.WriteLineAsync($"Storage is unreachable: {ex.InnerExceptions[0].Message.Split('\n')[0]} Check AzureWebJobsStorage, and run `athos-webhooks doctor`.");
            return 1;
        }
    }
}
