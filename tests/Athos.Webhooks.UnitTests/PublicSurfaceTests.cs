using System.Reflection;
using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// The core's public surface (docs/architecture.md, "The public surface"): what a host resolves is a public interface
/// with an internal implementation, so the core exports few types, and of those only interfaces, static classes
/// (extension methods, constants), value types and the exceptions and records a host needs. What consumers read is the
/// consumer package's, which counts its own (src/Athos.Webhooks.Consumer/PublicAPI.*.txt).
/// </summary>
public sealed class PublicSurfaceTests
{
    /// <summary>The issue's bound on the core's public types, nested ones included.</summary>
    private const int Budget = 25;

    private static List<Type> Surface =>
        [.. typeof(AthosWebhooksServiceCollectionExtensions).Assembly.GetExportedTypes().OrderBy(type => type.FullName, StringComparer.Ordinal)];

    [Fact]
    public void The_core_exports_at_most_25_types()
    {
        var surface = Surface;

        Assert.True(surface.Count <= Budget, $"{surface.Count} public types, at most {Budget}: {string.Join(", ", surface.Select(type => type.FullName))}");
        Assert.DoesNotContain(surface, type => type.Assembly != typeof(AthosWebhooksServiceCollectionExtensions).Assembly);
    }

    [Fact]
    public void Every_export_is_an_interface_a_static_class_a_value_type_an_exception_or_a_record()
    {
        var misfits = Surface.Where(type => !(type.IsInterface || IsStatic(type) || type.IsValueType || typeof(Exception).IsAssignableFrom(type) || IsRecord(type))).Select(type => type.FullName);

        Assert.Empty(misfits);
    }

    [Fact]
    public void Each_interface_a_host_resolves_is_registered_by_AddAthosWebhooks_with_an_internal_implementation()
    {
        var services = new ServiceCollection().AddAthosWebhooks(new ConfigurationBuilder().Build());
        var interfaces = Surface.Where(type => type.IsInterface).ToList();

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
