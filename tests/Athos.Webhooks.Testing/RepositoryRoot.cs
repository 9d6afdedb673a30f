namespace Athos.Webhooks.Testing;

/// <summary>Finds the repository root (the folder holding Athos.Webhooks.sln) from the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Athos.Webhooks.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Could not find Athos.Webhooks.sln above {AppContext.BaseDirectory}.");
    }
}
