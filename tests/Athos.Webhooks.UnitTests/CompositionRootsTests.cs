using ArchUnitNET.Loader;
using Athos.Webhooks.Testing;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// Only the composition roots (docs/architecture.md, "Composition roots") touch the container: every other type in
/// src gets its collaborators through its constructor, never by asking an <see cref="IServiceProvider"/> (nor an
/// <c>IServiceScopeFactory</c> or <c>ActivatorUtilities</c>) for them.
/// </summary>
public sealed class CompositionRootsTests
{
    /// <summary>The types allowed to resolve services, with the compiler's closures nested in them; each is named in docs/architecture.md.</summary>
    public static readonly string[] CompositionRoots =
    [
        "Athos.Webhooks.Hosting.AthosWebhooksServiceCollectionExtensions",
        "Athos.Webhooks.Settings.SettingsRegistration",
        "Athos.Webhooks.AthosApi.AthosClientRegistration",
        "Athos.Webhooks.Storage.StorageRegistration",
        "Athos.Webhooks.WorkItems.HostJson",
        "Athos.Webhooks.Cli.Commands.CliServices",
        "Athos.Webhooks.Cli.Commands.DoctorCommand",
        "Athos.Webhooks.Cli.Runner.LocalRunner",
        "Athos.Webhooks.Cli.Runner.QueueWorker",
        "Athos.Webhooks.Functions.FunctionsAppComposition",
        "Program",
    ];

    private static readonly string[] ServiceLocation =
    [
        "System.IServiceProvider",
        "Microsoft.Extensions.DependencyInjection.IServiceScopeFactory",
        "Microsoft.Extensions.DependencyInjection.ActivatorUtilities",
    ];

    [Fact]
    public void No_type_in_src_but_a_composition_root_depends_on_the_container()
    {
        var functions = Path.Combine(RepositoryRoot.Path, "src", "Athos.Webhooks.Functions", "bin", Configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(functions, "Athos.Webhooks.Functions.dll")), $"the Functions app is built in {functions}");
        var architecture = new ArchLoader()
            .LoadAssemblies(typeof(Hosting.AthosWebhooksServiceCollectionExtensions).Assembly, typeof(Cli.Commands.CliApp).Assembly, typeof(Simulator.AthosSimulator).Assembly)
            .LoadFilteredDirectory(functions, "Athos.Webhooks.Functions.dll")
            .Build();

        var offenders = architecture.Types
            .Where(t => !CompositionRoots.Any(root => t.FullName == root || t.FullName.StartsWith(root + "+", StringComparison.Ordinal) || t.FullName.StartsWith(root + "/", StringComparison.Ordinal)))
            .SelectMany(t => t.Dependencies.Select(d => d.Target.FullName).Where(ServiceLocation.Contains).Distinct().Select(target => $"{t.FullName} depends on {target}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
        Assert.All(CompositionRoots, root => Assert.Contains(architecture.Types, t => t.FullName == root));
        var documented = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "architecture.md"));
        Assert.All(CompositionRoots, root => Assert.Contains($"`{root[(root.LastIndexOf('.') + 1)..]}`", documented, StringComparison.Ordinal));
    }

    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
}
