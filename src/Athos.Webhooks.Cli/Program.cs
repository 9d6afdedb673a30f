using Athos.Webhooks.Cli.Commands;

return await CliApp.RunAsync(args);
