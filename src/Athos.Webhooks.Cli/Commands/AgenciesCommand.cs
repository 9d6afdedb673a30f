using System.CommandLine;
using System.Text.Json;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>agencies import &lt;csv&gt;</c>: agency names the customer knows into <c>AthosAgencyNames</c> (Athos has no read of
/// them), shown by <c>calls list</c> and <c>calls show</c> and given to readers of the roster mirror.
/// </summary>
internal static class AgenciesCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("csv") { Description = "A CSV file whose header is agencyId,name (Athos's ids) or platformAgencyId,name (your own); an empty name deletes one." };
        var import = new Command("import", "Import agency names into AthosAgencyNames (docs/schema.md, \"AthosAgencyNames\").") { file };
        var format = FormatOption.AddTo(import, [OutputFormat.Table, OutputFormat.Json]);
        import.SetAction(async (parse, ct) => await ImportAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(file)!, format.GetValue(parse), ct));
        return new Command("agencies", "Agency names you supply: Athos returns agency ids, never their names.") { import };
    }

    public static async Task<int> ImportAsync(IConfiguration configuration, TextWriter output, TextWriter error, string path, OutputFormat format, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            await error.WriteLineAsync($"csv: no such file '{path}'.");
            return ExitCodes.Usage;
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"csv: cannot read '{path}': {ex.Message}");
            return ExitCodes.Usage;
        }

        return await CliServices.RunAsync<IRosterHandler>(configuration, error, async roster =>
        {
            using var csv = new StringReader(text);
            JsonElement report;
            try
            {
                report = await roster.ImportAgencyNamesAsync(csv, cancellationToken);
            }
            catch (FormatException ex)
            {
                await error.WriteLineAsync($"csv: {path}, {ex.Message} Nothing was imported.");
                return ExitCodes.Usage;
            }

            if (format == OutputFormat.Json)
            {
                JsonOutput.WriteDocument(output, report);
            }
            else
            {
                await output.WriteLineAsync($"Imported {report.Int("written")} agency name(s) by {report.String("key")}; deleted {report.Int("deleted")}.");
            }

            return ExitCodes.Ok;
        });
    }
}
