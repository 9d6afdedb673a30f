using ArchUnitNET.Domain.Dependencies;
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

    /// <summary>The simulator's composition root: <c>StartAsync</c> builds its web host, with the system clock unless given one.</summary>
    private const string SimulatorRoot = "Athos.Simulator.AthosSimulator";

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Architecture = new(() =>
    {
        return new ArchLoader()
            .LoadAssemblies(
                typeof(Hosting.AthosWebhooksServiceCollectionExtensions).Assembly,
                typeof(Consumer.CallReader).Assembly,
                typeof(Cli.Commands.CliApp).Assembly,
                typeof(Simulator.AthosSimulator).Assembly,
                typeof(Functions.FunctionsAppComposition).Assembly)
            .Build();
    });

    private static readonly string[] ServiceLocation =
    [
        "System.IServiceProvider",
        "Microsoft.Extensions.DependencyInjection.IServiceScopeFactory",
        "Microsoft.Extensions.DependencyInjection.ActivatorUtilities",
        "Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions",
        "Microsoft.Extensions.DependencyInjection.ServiceProvider",
    ];

    [Fact]
    public void No_type_in_src_but_a_composition_root_depends_on_the_container()
    {
        var architecture = Architecture.Value;
        var offenders = architecture.Types
            .Where(t => !IsRoot(t.FullName, [.. CompositionRoots, SimulatorRoot]))
            .SelectMany(t => t.Dependencies.Select(d => d.Target.FullName).Where(ServiceLocation.Contains).Distinct().Select(target => $"{t.FullName} depends on {target}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
        Assert.All(CompositionRoots, root => Assert.Contains(architecture.Types, t => t.FullName == root));
        var documented = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "architecture.md"));
        Assert.All(CompositionRoots, root => Assert.Contains($"`{root[(root.LastIndexOf('.') + 1)..]}`", documented, StringComparison.Ordinal));
    }

    /// <summary>The system clock enters through a composition root only; every other type reads the injected <see cref="TimeProvider"/>.</summary>
    /// <remarks>
    /// The analyzer (eng/BannedSymbols.txt) bans <c>DateTime.UtcNow</c> and its kin everywhere in src, but it bans a symbol
    /// for a whole compilation, so <see cref="TimeProvider.System"/>, which a composition root must take, is held here.
    /// </remarks>
    [Fact]
    public void Only_a_composition_root_takes_the_system_clock()
    {
        var offenders = Architecture.Value.Types
            .Where(t => !IsRoot(t.FullName, [.. CompositionRoots, SimulatorRoot]))
            .SelectMany(t => t.Dependencies.OfType<MethodCallDependency>()
                .Where(d => d.TargetMember.FullName.Contains("System.TimeProvider::get_System()", StringComparison.Ordinal))
                .Select(_ => t.FullName))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(offenders.Count == 0, "read the injected TimeProvider in: " + string.Join(", ", offenders));
        Assert.Contains(Architecture.Value.Types, t => t.FullName == SimulatorRoot);
    }

    /// <summary>A root, or a type the compiler nests in one (a closure, a state machine).</summary>
    private static bool IsRoot(string type, IEnumerable<string> roots) =>
        roots.Any(root => type == root || type.StartsWith(root + "+", StringComparison.Ordinal) || type.StartsWith(root + "/", StringComparison.Ordinal));

}
