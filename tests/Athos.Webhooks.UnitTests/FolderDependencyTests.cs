using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using Athos.Webhooks.Processing;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// The core's folders (namespaces <c>Athos.Webhooks.&lt;Folder&gt;</c>) use each other only as <see cref="Allowed"/>
/// says, which has no cycle and is what docs/architecture.md draws ("Folder dependencies"). Dependencies are the
/// compiled ones (ArchUnitNET reads the IL: signatures, fields, calls, attributes), between types of the core assembly
/// only, so a type that moves to another assembly (the consumer package) leaves no edge here.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private const string Prefix = "Athos.Webhooks.";

    /// <summary>Each folder and the folders it may use, listed bottom to top: a folder uses only folders listed before it.</summary>
    internal static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["Settings"] = [],
        ["Http"] = [],
        ["Telemetry"] = [],
        ["Storage"] = ["Settings"],
        ["Changes"] = ["Settings", "Storage", "Telemetry"],
        ["AthosApi"] = ["Settings", "Storage", "Telemetry"],
        ["Writing"] = ["Changes", "Storage"],
        ["WorkItems"] = ["AthosApi", "Settings", "Storage", "Telemetry"],
        ["Erasure"] = ["AthosApi", "Changes", "Settings", "Storage", "WorkItems"],
        ["Webhooks"] = ["AthosApi", "Http", "Settings", "Storage", "Telemetry", "WorkItems"],
        ["Reconciliation"] = ["AthosApi", "Changes", "Erasure", "Http", "Settings", "Storage", "Telemetry", "Webhooks", "WorkItems", "Writing"],
        ["Enrichment"] = ["AthosApi", "Changes", "Erasure", "Reconciliation", "Settings", "Storage", "Telemetry", "WorkItems", "Writing"],
        ["Roster"] = ["AthosApi", "Erasure", "Reconciliation", "Settings", "Storage", "Telemetry", "WorkItems"],
        ["Processing"] = ["AthosApi", "Enrichment", "Reconciliation", "Roster", "Storage", "Telemetry", "Webhooks", "WorkItems"],
        ["Exports"] = ["Reconciliation", "Roster", "Settings", "Storage", "Telemetry"],
        ["Health"] = ["AthosApi", "Exports", "Http", "Reconciliation", "Storage", "Telemetry", "WorkItems"],
        ["Operations"] = ["AthosApi", "Changes", "Enrichment", "Erasure", "Exports", "Health", "Reconciliation", "Roster", "Storage", "Telemetry", "WorkItems"],
        ["Hosting"] = ["AthosApi", "Changes", "Enrichment", "Erasure", "Exports", "Health", "Http", "Operations", "Processing", "Reconciliation", "Roster", "Settings", "Storage", "Telemetry", "Webhooks", "WorkItems", "Writing"],
    };

    private static readonly System.Reflection.Assembly Core = typeof(WorkItemProcessor).Assembly;

    private static readonly Lazy<IReadOnlyList<(string From, string To, string Example)>> Dependencies = new(LoadDependencies);

    [Fact]
    public void The_folders_depend_on_each_other_without_a_cycle()
    {
        var graph = Dependencies.Value.GroupBy(d => d.From).ToDictionary(g => g.Key, g => g.Select(d => d.To).Distinct().ToArray());
        Assert.Null(FindCycle(graph));
        Assert.Null(FindCycle(Allowed));
    }

    [Fact]
    public void Every_dependency_between_folders_is_in_the_table()
    {
        // A new folder is placed in the table (and the diagram) before anything may use it.
        Assert.All(Dependencies.Value.SelectMany(d => new[] { d.From, d.To }).Distinct(), folder => Assert.Contains(folder, Allowed.Keys));

        var outside = Dependencies.Value
            .Where(d => !Allowed[d.From].Contains(d.To))
            .GroupBy(d => $"{d.From} -> {d.To}")
            .Select(g => $"{g.Key} (e.g. {g.First().Example})")
            .ToList();
        Assert.Empty(outside);
    }

    [Fact]
    public void The_architecture_doc_draws_the_table()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md"));
        var section = doc[doc.IndexOf("## Folder dependencies", StringComparison.Ordinal)..];
        var start = section.IndexOf("```mermaid", StringComparison.Ordinal);
        var diagram = section[start..section.IndexOf("```", start + 3, StringComparison.Ordinal)];
        var drawn = Edge().Matches(diagram).Select(m => $"{m.Groups[1].Value} --> {m.Groups[2].Value}").ToHashSet();
        var table = Allowed.SelectMany(f => f.Value.Select(to => $"{f.Key} --> {to}")).ToHashSet();
        var notDrawn = table.Except(drawn).Order(StringComparer.Ordinal).ToList();
        var notInTable = drawn.Except(table).Order(StringComparer.Ordinal).ToList();
        Assert.Multiple(() => Assert.Empty(notDrawn), () => Assert.Empty(notInTable));
    }

    private static List<(string From, string To, string Example)> LoadDependencies()
    {
        var architecture = new ArchLoader().LoadAssemblies(Core).Build();
        var found = new List<(string, string, string)>();
        foreach (var type in architecture.Types)
        {
            if (FolderOf(type) is not { } from)
            {
                continue;
            }

            // A generic parameter is no dependency (ArchUnitNET names a generic method's parameter after the first method
            // of that name it met: every source-generated JsonSerializerContext has one).
            foreach (var target in type.Dependencies.Select(d => d.Target).Where(t => t is not GenericParameter))
            {
                if (FolderOf(target) is { } to && to != from)
                {
                    found.Add((from, to, $"{type.FullName} uses {target.FullName}"));
                }
            }
        }

        return found;
    }

    /// <summary>The folder of a type of the core assembly (the first namespace segment after <c>Athos.Webhooks.</c>).</summary>
    private static string? FolderOf(IType type)
    {
        if (type.Assembly?.FullName != Core.FullName || type.Namespace?.FullName is not { } ns || !ns.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[Prefix.Length..];
        return rest.Split('.')[0];
    }

    /// <summary>A cycle as "A -> B -> A", or null.</summary>
    private static string? FindCycle(IReadOnlyDictionary<string, string[]> graph)
    {
        var state = new Dictionary<string, bool>(); // false: on the path; true: done
        var path = new Stack<string>();

        string? Visit(string node)
        {
            if (state.TryGetValue(node, out var done))
            {
                return done ? null : string.Join(" -> ", path.Reverse().SkipWhile(n => n != node).Append(node));
            }

            state[node] = false;
            path.Push(node);
            foreach (var next in graph.GetValueOrDefault(node, []))
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.Pop();
            state[node] = true;
            return null;
        }

        return graph.Keys.Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Athos.Webhooks.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Athos.Webhooks.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*(\w+)\s*-->\s*(\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Edge();
}
