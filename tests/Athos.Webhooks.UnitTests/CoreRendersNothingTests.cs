using ArchUnitNET.Loader;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// The core returns what the operator's commands report; the CLI renders it (docs/architecture.md, "Operations/"):
/// no type of the core writes to a <see cref="TextWriter"/> or the console, and no handler takes a format or a writer.
/// </summary>
public sealed class CoreRendersNothingTests
{
    private static readonly string[] Rendering = ["System.IO.TextWriter", "System.Console"];

    [Fact]
    public void No_type_of_the_core_writes_to_a_TextWriter_or_the_console()
    {
        var core = new ArchLoader().LoadAssemblies(typeof(Hosting.AthosWebhooksServiceCollectionExtensions).Assembly).Build();

        var offenders = core.Types
            .SelectMany(t => t.Dependencies.Select(d => d.Target.FullName).Where(Rendering.Contains).Distinct().Select(target => $"{t.FullName} depends on {target}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        // The loader sees what the core calls in the BCL (the clock every service takes), so a writer would show.
        Assert.Contains(core.Types, t => t.Dependencies.Any(d => d.Target.FullName == "System.TimeProvider"));
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public void The_operator_handlers_take_no_output_format_nor_writer()
    {
        var handlers = typeof(Hosting.AthosWebhooksServiceCollectionExtensions).Assembly.GetExportedTypes()
            .Where(t => t.IsInterface && t.Namespace == "Athos.Webhooks.Operations")
            .ToList();

        var offenders = handlers
            .SelectMany(h => h.GetMethods().SelectMany(m => m.GetParameters().Select(p => (Handler: h, Method: m, Parameter: p))))
            .Where(x => x.Parameter.ParameterType.Name == "OutputFormat" || typeof(TextWriter).IsAssignableFrom(x.Parameter.ParameterType))
            .Select(x => $"{x.Handler.Name}.{x.Method.Name}({x.Parameter.ParameterType.Name} {x.Parameter.Name})")
            .ToList();

        Assert.NotEmpty(handlers);
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }
}
