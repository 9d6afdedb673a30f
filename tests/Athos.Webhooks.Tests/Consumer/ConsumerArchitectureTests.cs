using System.Reflection;
using Athos.Webhooks.Writing;

namespace Athos.Webhooks.Tests.Consumer;

/// <summary>The consumer package stands on the Azure SDK alone, and the core depends on it, never the reverse.</summary>
public sealed class ConsumerArchitectureTests
{
    private static readonly Assembly ConsumerAssembly = typeof(CallChangeFeed).Assembly;

    [Fact]
    public void The_consumer_assembly_references_no_core_host_functions_polly_or_options_assembly()
    {
        var referenced = ConsumerAssembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Equal("Athos.Webhooks.Consumer", ConsumerAssembly.GetName().Name);
        Assert.Contains("Azure.Data.Tables", referenced);
        Assert.DoesNotContain(referenced, name =>
            name.StartsWith("Athos.", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.Azure.Functions", StringComparison.Ordinal)
            || name.StartsWith("Polly", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.All(referenced, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Azure.", StringComparison.Ordinal), $"{name} is neither the runtime nor the Azure SDK"));
    }

    [Fact]
    public void The_core_references_the_consumer_assembly() =>
        Assert.Contains("Athos.Webhooks.Consumer", typeof(CallRowWriter).Assembly.GetReferencedAssemblies().Select(a => a.Name));
}
