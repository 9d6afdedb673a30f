using System.Text.RegularExpressions;

namespace Athos.Webhooks.Tests.Eng;

/// <summary>
/// The README's "Repository layout" says what is: every path it names exists (a file named in a folder's row, in that
/// folder), and every project of the solution has its row.
/// </summary>
public sealed partial class ReadmeLayoutTests
{
    [Fact]
    public void Every_path_the_layout_names_exists()
    {
        var missing = Rows()
            .SelectMany(row => FileName().Matches(row.Description)
                .Select(m => m.Value.Contains('/', StringComparison.Ordinal) ? m.Value : row.Path + m.Value)
                .Prepend(row.Path))
            .Where(path => !File.Exists(Full(path)) && !Directory.Exists(Full(path)))
            .ToList();

        Assert.NotEmpty(Rows());
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_project_of_the_solution_has_its_row()
    {
        var rows = Rows().Select(r => r.Path).ToHashSet(StringComparer.Ordinal);
        var projects = SolutionProject().Matches(File.ReadAllText(Full("Athos.Webhooks.sln")))
            .Select(m => m.Groups["folder"].Value.Replace('\\', '/') + "/")
            .ToList();

        Assert.NotEmpty(projects);
        Assert.Empty(projects.Except(rows));
    }

    /// <summary>The rows between the layout markers: a path, and what it holds (a continuation line adds to the row above).</summary>
    private static List<(string Path, string Description)> Rows()
    {
        var readme = File.ReadAllText(Full("README.md"));
        var start = readme.IndexOf("<!-- layout -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- /layout -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md marks its layout with <!-- layout --> and <!-- /layout -->");
        var rows = new List<(string Path, string Description)>();
        foreach (var line in readme[start..end].Split('\n').Skip(1).Where(l => l.Length > 0 && !l.StartsWith("```", StringComparison.Ordinal)))
        {
            if (char.IsWhiteSpace(line[0]))
            {
                rows[^1] = (rows[^1].Path, rows[^1].Description + " " + line.Trim());
                continue;
            }

            var path = line.Split(' ', 2)[0];
            rows.Add((path, line[path.Length..].Trim()));
        }

        return rows;
    }

    private static string Full(string path) => Path.Combine(RepositoryRoot.Path, path);

    // A file a row's description names: run-local.sh, ci.yml, docs/performance.md (from the root when it has a folder).
    [GeneratedRegex(@"(?<![\w./-])[\w./-]+\.(md|sh|ps1|mjs|yml|cs|json)\b")]
    private static partial Regex FileName();

    [GeneratedRegex(@"^Project\(""\{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC\}""\) = ""[^""]+"", ""(?<folder>[^""]+)\\[^""\\]+\.csproj""", RegexOptions.Multiline)]
    private static partial Regex SolutionProject();
}
