using System.Reflection;
using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// The core's surface for hosts (docs/architecture.md, "The public surface"): what a host resolves is a public
/// interface with an internal implementation, so the core exports few types, and of those only interfaces, static
/// classes (extension methods, constants) and the exceptions and records a host needs.
/// </summary>
public sealed class PublicSurfaceTests
{
    /// <summary>The host-facing budget: the core's 25 less the operator commands' 12.</summary>
    private const int HostBudget = 13;

    /// <summary>The operator commands, held to their own budget.</summary>
    private const string OperationsNamespace = "Athos.Webhooks.Operations";

    /// <summary>What consumers read, on its way to its own package (src/Athos.Webhooks.Consumer), counted there.</summary>
    private static readonly HashSet<string> ConsumerTypes =
    [
        "Athos.Webhooks.Storage.CallRow",
        "Athos.Webhooks.Storage.AthosCall",
        "Athos.Webhooks.Storage.CallReader",
        "Athos.Webhooks.Storage.StorageNames",
        "Athos.Webhooks.Changes.CallChange",
        "Athos.Webhooks.Changes.CallChangeFeed",
        "Athos.Webhooks.Changes.CallChangeKind",
        "Athos.Webhooks.Changes.CallChangePage",
        "Athos.Webhooks.Changes.CheckpointExpiredException",
        "Athos.Webhooks.Changes.ClockSkewException",
        "Athos.Webhooks.AthosApi.CallId",
        "Athos.Webhooks.AthosApi.CallSources",
    ];

    private static List<Type> HostSurface =>
        [.. typeof(AthosWebhooksServiceCollectionExtensions).Assembly.GetExportedTypes()
            .Where(type => type.Namespace != OperationsNamespace && !ConsumerTypes.Contains(type.FullName!))
            .OrderBy(type => type.FullName, StringComparer.Ordinal)];

    [Fact]
    public void The_core_exports_at_most_13_types_besides_the_consumer_and_operator_ones()
    {
        var surface = HostSurface;

        Assert.True(surface.Count <= HostBudget, $"{surface.Count} host-facing public types, at most {HostBudget}: {string.Join(", ", surface.Select(type => type.FullName))}");
    }

    [Fact]
    public void Every_host_facing_export_is_an_interface_a_static_class_an_exception_or_a_record()
    {
        var misfits = HostSurface.Where(type => !(type.IsInterface || IsStatic(type) || typeof(Exception).IsAssignableFrom(type) || IsRecord(type))).Select(type => type.FullName);

        Assert.Empty(misfits);
    }

    [Fact]
    public void Each_interface_a_host_resolves_is_registered_by_AddAthosWebhooks_with_an_internal_implementation()
    {
        var services = new ServiceCollection().AddAthosWebhooks(new ConfigurationBuilder().Build());
        var interfaces = HostSurface.Where(type => type.IsInterface).ToList();

        Assert.NotEmpty(interfaces);
        Assert.All(interfaces, contract =>
        {
            var registration = Assert.Single(services, service => service.ServiceType == contract);
            Assert.NotNull(registration.ImplementationType);
            Assert.False(registration.ImplementationType.IsPublic, $"{contract.Name} is implemented by the public {registration.ImplementationType.FullName}");
        });
    }

    private static bool IsStatic(Type type) => type.IsClass && type.IsAbstract && type.IsSealed;

    // The compiler gives a record (and only a record) an EqualityContract and a <Clone>$ method.
    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null;
}
