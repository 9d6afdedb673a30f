using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Parquet;

namespace Athos.Webhooks.Exports;

/// <summary>
/// Writes one date partition of a version as <c>part-NNNNN.parquet</c> files, streamed into block blobs: after each row
/// group the writer's bytes go out as staged blocks, and the block list is committed when the file is complete, so a
/// file appears whole and never sits in memory entire.
/// </summary>
internal static class ParquetParts
{
    /// <summary>Rows per file at most; a partition with more is split.</summary>
    public const int RowCap = 1_000_000;

    /// <summary>Rows per row group: what a reader holds per column chunk, and about what the writer holds of a file's bytes.</summary>
    public const int RowGroupRows = 10_000;

    // A staged block; large enough that a day's file is a few requests.
    private const int BlockBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Writes <paramref name="rows"/> under <paramref name="partition"/> (a folder ending in <c>/</c>); the files and bytes
    /// written. With <paramref name="evenEmpty"/>, no rows still make one file (the schema alone), so that a dataset
    /// without date partitions always has a file for a reader's glob to match.
    /// </summary>
    public static async Task<(int Files, long Bytes)> WriteAsync<T>(BlobContainerClient container, string partition, ParquetColumns<T> columns, IReadOnlyList<T> rows, CancellationToken cancellationToken, bool evenEmpty = false)
    {
        var (files, bytes) = (0, 0L);
        for (var start = 0; start < rows.Count || (evenEmpty && files == 0); start += RowCap, files++)
        {
            var name = partition + "part-" + files.ToString("00000", CultureInfo.InvariantCulture) + ".parquet";
            using var sink = new BlockBlobSink(container.GetBlockBlobClient(name), BlockBytes);
            await using (var writer = await ParquetWriter.CreateAsync(columns.Schema, sink, cancellationToken: cancellationToken))
            {
                var end = Math.Min(rows.Count, start + RowCap);
                for (var group = start; group < end; group += RowGroupRows)
                {
                    await columns.WriteRowGroupAsync(writer, Slice(rows, group, Math.Min(end, group + RowGroupRows)), cancellationToken);
                    await sink.StageFullBlocksAsync(cancellationToken);
                }
            }

            bytes += sink.Position;
            // Until here the blob does not exist (or is this version's earlier attempt): it appears whole.
            await sink.CommitAsync(new BlobHttpHeaders { ContentType = "application/vnd.apache.parquet" }, cancellationToken);
        }

        return (files, bytes);
    }

    private static List<T> Slice<T>(IReadOnlyList<T> rows, int from, int to)
    {
        var slice = new List<T>(to - from);
        for (var i = from; i < to; i++)
        {
            slice.Add(rows[i]);
        }

        return slice;
    }
}
