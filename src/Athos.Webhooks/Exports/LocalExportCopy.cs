namespace Athos.Webhooks.Exports;

/// <summary>
/// <c>export --to-dir</c>: the live datasets copied to a local directory under the same relative paths: the live
/// version of <c>calls/current</c>, <c>scores</c> and <c>agents</c> (each pointer and the folder it names), and every
/// changes file. Run again into the same directory, it leaves it a copy of the container as it is now: a file the
/// container no longer has there (a replaced version, a changes file an erasure emptied or a compaction merged) is
/// deleted, so an erased call does not linger in a local copy.
/// </summary>
internal sealed class LocalExportCopy(ExportContainer files)
{
    public async Task<LocalCopyResult> CopyAsync(string directory, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(directory);
        var names = new List<string>();
        foreach (var pointerName in new[] { ExportPointer.NameOf(CurrentExport.CallsDataset), ExportPointer.NameOf(CurrentExport.ScoresDataset), ExportPointer.NameOf(CurrentExport.AgentsDataset) })
        {
            if (ExportPointer.Parse(await files.ReadSmallAsync(pointerName, cancellationToken)) is { Path: { Length: > 0 } folder })
            {
                names.Add(pointerName);
                names.AddRange(await files.ListAsync(folder, cancellationToken));
            }
        }

        names.AddRange(await files.ListAsync(ChangesExport.Prefix, cancellationToken));
        foreach (var name in names)
        {
            var path = Path.GetFullPath(Path.Combine(root, name));

            // Names come from the app's own container; still, nothing is written outside the directory asked for.
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"athos-exports holds '{name}', which would land outside {root}: not copied.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await files.DownloadToAsync(name, path, cancellationToken);
        }

        var copied = names.Select(n => Path.GetFullPath(Path.Combine(root, n))).ToHashSet(StringComparer.Ordinal);
        foreach (var dataset in new[] { "calls", CurrentExport.ScoresDataset, CurrentExport.AgentsDataset })
        {
            var folder = Path.Combine(root, dataset);
            if (Directory.Exists(folder))
            {
                foreach (var stale in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !copied.Contains(Path.GetFullPath(f))).ToList())
                {
                    File.Delete(stale);
                }

                // Deepest first, so that a version folder emptied above goes with its date folders.
                foreach (var emptied in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).ToList())
                {
                    if (!Directory.EnumerateFileSystemEntries(emptied).Any())
                    {
                        Directory.Delete(emptied);
                    }
                }
            }
        }

        return new LocalCopyResult(root, names.Count, names.Count(n => n.StartsWith(ChangesExport.Prefix, StringComparison.Ordinal)));
    }
}

/// <param name="Directory">Where the files went.</param>
/// <param name="Files">Files copied, pointers included.</param>
/// <param name="ChangesFiles">Of them, changes files.</param>
internal sealed record LocalCopyResult(string Directory, int Files, int ChangesFiles);
