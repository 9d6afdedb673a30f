using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Athos.Webhooks.Tests.Consumer;

/// <summary><c>dotnet pack</c> of src/Athos.Webhooks.Consumer: a package a consumer installs without the product's host.</summary>
public sealed class ConsumerPackageTests : IDisposable
{
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("athos-consumer-pack-");

    public void Dispose() => _output.Delete(recursive: true);

    [Fact]
    public async Task The_package_depends_on_the_Azure_SDK_only_and_carries_its_readme_dll_and_xml_docs()
    {
        var package = await PackAsync();

        using var archive = ZipFile.OpenRead(package);
        var entries = archive.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("README.md", entries);
        Assert.Contains("lib/net10.0/Athos.Webhooks.Consumer.dll", entries);
        Assert.Contains("lib/net10.0/Athos.Webhooks.Consumer.xml", entries);

        var nuspecEntry = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        await using var nuspecStream = nuspecEntry.Open();
        var nuspec = await XDocument.LoadAsync(nuspecStream, LoadOptions.None, TestContext.Current.CancellationToken);
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.Equal("Athos.Webhooks.Consumer", metadata.Elements().Single(e => e.Name.LocalName == "id").Value);
        Assert.Equal("README.md", metadata.Elements().Single(e => e.Name.LocalName == "readme").Value);
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
        Assert.NotEmpty(dependencies);
        Assert.All(dependencies, id => Assert.StartsWith("Azure.", id, StringComparison.Ordinal));

        using var docs = new StreamReader(archive.GetEntry("lib/net10.0/Athos.Webhooks.Consumer.xml")!.Open());
        Assert.Contains("T:Athos.Webhooks.Consumer.CallChangeFeed", await docs.ReadToEndAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    /// <summary>Packs the project as built with these tests (<c>--no-build</c>: the same configuration, nothing rebuilt); the .nupkg's path.</summary>
    private async Task<string> PackAsync()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "pack", Path.Combine(RepositoryRoot.Path, "src", "Athos.Webhooks.Consumer", "Athos.Webhooks.Consumer.csproj"), "-c", configuration, "--no-build", "-o", _output.FullName, "-p:NuGetAudit=false" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"dotnet pack exited with {process.ExitCode}:\n{await output}\n{await error}");
        return Assert.Single(_output.GetFiles("Athos.Webhooks.Consumer.*.nupkg")).FullName;
    }
}
