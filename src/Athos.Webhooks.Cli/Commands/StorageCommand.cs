namespace Athos.Webhooks.Cli.Commands;

/// <summary>Runs a command body against storage, turning configuration and storage failures into clear lines (<see cref="CliFailures"/>).</summary>
internal static class StorageCommand
{
    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter error, Func<IServiceProvider, Task<int>> body)
    {
        await using var services = CliServices.Build(configuration);
        try
        {
            return await body(services);
        }
        catch (Exception ex) when (CliFailures.IsReportable(ex))
        {
            return await CliFailures.ReportAsync(ex, error);
        }
    }
}
