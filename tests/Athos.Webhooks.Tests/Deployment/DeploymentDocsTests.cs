using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Athos.Webhooks.Tests.Deployment;

/// <summary>
/// What the deployment docs tell an operator to run: the deploy principal may assign exactly the roles the template
/// assigns, no documented command carries a secret as an argument, and the helper that stores secrets in the azd
/// environment takes them from standard input.
/// </summary>
public sealed partial class DeploymentDocsTests
{
    private static readonly string Condition = Path.Combine(RepositoryRoot.Path, "infra", "deploy-principal.condition");

    [Fact]
    public async Task The_deploy_principal_may_assign_and_remove_exactly_the_roles_the_template_assigns()
    {
        var snapshot = await BicepSnapshot.CreateAsync(("consumerPrincipalIds", "['11111111-2222-3333-4444-555555555555']"));
        var assigned = snapshot.All("Microsoft.Authorization/roleAssignments")
            .Select(a => a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Split('/')[^1])
            .ToHashSet();

        var sets = GuidSet().Matches(await File.ReadAllTextAsync(Condition, TestContext.Current.CancellationToken))
            .Select(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).ToHashSet())
            .ToList();

        // One set for writes (@Request) and one for deletes (@Resource), each exactly the template's roles.
        Assert.Equal(2, sets.Count);
        Assert.All(sets, set => Assert.Equal(assigned.Order(), set.Order()));
        Assert.DoesNotContain("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", assigned); // Owner
        Assert.DoesNotContain("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", assigned); // User Access Administrator
        Assert.Contains("deploy-principal.condition", await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "deployment.md"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    /// <summary>Shell history and the process list keep arguments: secrets come from a prompt, a file or standard input.</summary>
    [Fact]
    public void No_documented_command_puts_a_secret_on_its_command_line()
    {
        var documents = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md").Append(Path.Combine(RepositoryRoot.Path, "README.md"));
        var offenders = documents
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (Where: $"{Path.GetFileName(path)}:{i + 1}", Line: line)))
            .Where(l => SecretArgument().IsMatch(l.Line))
            .Select(l => $"{l.Where}: {l.Line.Trim()}")
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public async Task The_azd_secret_helper_stores_a_value_read_from_standard_input_and_never_echoes_it()
    {
        var project = Directory.CreateTempSubdirectory("athos-azd-");
        try
        {
            Directory.CreateDirectory(Path.Combine(project.FullName, ".azure", "prod"));
            await File.WriteAllTextAsync(Path.Combine(project.FullName, ".azure", "config.json"), """{"version":1,"defaultEnvironment":"prod"}""", TestContext.Current.CancellationToken);
            var env = Path.Combine(project.FullName, ".azure", "prod", ".env");
            await File.WriteAllTextAsync(env, "AZURE_ENV_NAME=\"prod\"\nATHOS_WHSEC=\"whsec_old\"\n", TestContext.Current.CancellationToken);

            var stored = await RunAsync(project.FullName, "ATHOS_WHSEC", "whsec_n3w_value_from_stdin\n");
            var afterStore = await File.ReadAllTextAsync(env, TestContext.Current.CancellationToken);
            var removed = await RunAsync(project.FullName, "ATHOS_WHSEC", string.Empty);
            var afterRemove = await File.ReadAllTextAsync(env, TestContext.Current.CancellationToken);
            var refused = await RunAsync(project.FullName, "ATHOS_WHSEC", "whsec_with\"quote\n");

            Assert.Equal((0, "ATHOS_WHSEC stored in azd environment prod."), (stored.Exit, stored.Error.Trim()));
            Assert.Equal("AZURE_ENV_NAME=\"prod\"\nATHOS_WHSEC=\"whsec_n3w_value_from_stdin\"\n", afterStore);
            Assert.Equal((0, "AZURE_ENV_NAME=\"prod\"\n"), (removed.Exit, afterRemove));
            Assert.Equal(2, refused.Exit);
            Assert.DoesNotContain("whsec_with", refused.Error, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(env) & (UnixFileMode)0x1FF);
            }
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Error)> RunAsync(string directory, string name, string input)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = directory };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "eng", "azd-env-secret.sh"));
        start.ArgumentList.Add(name);
        start.Environment.Remove("AZURE_ENV_NAME");
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, error);
    }

    [GeneratedRegex(@"GuidEquals \{([^}]*)\}")]
    private static partial Regex GuidSet();

    // A secret's value right on a command line: azd env set / export / --parameters with an Athos secret, a --secret or
    // --body with a literal, a key= pair holding one, or a function or master key in a curl URL.
    [GeneratedRegex(@"azd env set (ATHOS_API_KEY|ATHOS_WHSEC)|athosApiKey=|athosWebhookSecret=|ATHOS_(API_KEY|WHSEC(_PREVIOUS)?)='|gh secret set \S+ .*--body|--secret [^-]|curl [^|`]*[?&]code=")]
    private static partial Regex SecretArgument();
}
