namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>A copy of the built <c>athos-webhooks</c> in a temporary directory, with a host.json of the test's own; deleted on dispose.</summary>
public sealed class BuiltCopy : IDisposable
{
    private BuiltCopy(string directory) => Directory = directory;

    public string Directory { get; }

    public static async Task<BuiltCopy> WithHostJsonAsync(string hostJson)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("athos-webhooks-").FullName;
        foreach (var file in System.IO.Directory.EnumerateFiles(CliProcess.BuiltDirectory, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(directory, Path.GetRelativePath(CliProcess.BuiltDirectory, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "host.json"), hostJson, TestContext.Current.CancellationToken);
        return new BuiltCopy(directory);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
