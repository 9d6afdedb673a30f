using System.Text.Json;
using Azure.Storage.Blobs;
using DuckDB.NET.Data;

namespace Athos.Webhooks.Tests.Exports;

/// <summary>
/// A reader of <c>athos-exports</c> as docs/consumers.md tells one to read it: the pointer first, then the live version's
/// files. DuckDB reads them from a local copy of the container (its Azure extension cannot be installed offline), at the
/// same paths.
/// </summary>
internal sealed class ExportFolder : IDisposable
{
    private readonly BlobContainerClient _container;

    public ExportFolder(string connectionString)
    {
        _container = new BlobContainerClient(connectionString, StorageNames.ExportsContainer);
        Root = Directory.CreateTempSubdirectory("athos-exports-").FullName;
    }

    /// <summary>The local copy, ending in <c>/</c>: what the guide's <c>root</c> variable names.</summary>
    public string Root { get; }

    /// <summary>The pointer's fields, as a reader parses them.</summary>
    public async Task<(string Version, DateTimeOffset BuiltAt, string Path, long Rows, int Files)> PointerAsync(string dataset)
    {
        var json = (await _container.GetBlobClient(dataset + "/_live.json").DownloadContentAsync()).Value.Content.ToString();
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(["builtAt", "files", "path", "rows", "version"], root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.EndsWith("Z", root.GetProperty("builtAt").GetString(), StringComparison.Ordinal);
        return (root.GetProperty("version").GetString()!, root.GetProperty("builtAt").GetDateTimeOffset(), root.GetProperty("path").GetString()!, root.GetProperty("rows").GetInt64(), root.GetProperty("files").GetInt32());
    }

    /// <summary>Copies every blob of the container, as it is now, under <see cref="Root"/>.</summary>
    public async Task<List<string>> CopyAsync()
    {
        Directory.Delete(Root, recursive: true);
        Directory.CreateDirectory(Root);
        var names = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync())
        {
            var local = System.IO.Path.Combine(Root, blob.Name);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(local)!);
            await _container.GetBlobClient(blob.Name).DownloadToAsync(local);
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>The blob names under <paramref name="prefix"/>.</summary>
    public async Task<List<string>> NamesAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>A DuckDB session whose <c>root</c> variable names the local copy, as the guide's set-up names the container.</summary>
    public DuckDBConnection Open()
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        Execute(connection, $"SET VARIABLE root = '{Root.Replace('\\', '/').TrimEnd('/')}/'");
        return connection;
    }

    /// <summary>Every row of <paramref name="sql"/>'s result, by column name.</summary>
    public static List<Dictionary<string, object?>> Query(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
