using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Microsoft.Win32.SafeHandles;

namespace Athos.Webhooks.Exports;

/// <summary>
/// The rows of a rebuild's one scan of <c>AthosCalls</c>, kept in a local temporary file between the scan and the files
/// they go to. <c>AthosCalls</c> is partitioned by call id, so a date's rows come scattered over the whole scan and no
/// date's file can be written before it ends; held in memory, the rows would make the rebuild's memory grow with the
/// table. Here they are appended to the file as they are read (JSON, through a buffer), and only where each lies is
/// kept, by date (16 bytes a row); a date's rows are read back with positional reads, which several dates being
/// written at once can make together. The file (under the temporary folder) holds personal data: on Linux and macOS
/// it is created readable by its owner only and unlinked at once, so no one can open it by name and the kernel frees it
/// when the handle closes, even when the process is killed; on Windows it is deleted when the handle closes.
/// </summary>
internal sealed class CallSpill : IDisposable
{
    private const int BufferBytes = 1024 * 1024;

    // A row without its ETag: that names Azure.Core's own converter, which is internal, so the generator has no metadata
    // for it; a spilled row needs none.
    private static readonly JsonTypeInfo<CallRow> RowJson = (JsonTypeInfo<CallRow>)new JsonSerializerOptions
    {
        TypeInfoResolver = CallSpillJsonContext.Default.WithAddedModifier(static info =>
        {
            if (info.Type == typeof(CallRow))
            {
                info.Properties.Remove(info.Properties.Single(p => p.PropertyType == typeof(ETag)));
            }
        }),
    }.GetTypeInfo(typeof(CallRow));

    private readonly FileStream _stream;
    private readonly SafeFileHandle _file;
    private readonly ArrayBufferWriter<byte> _pending = new(BufferBytes);
    private readonly Utf8JsonWriter _json;
    private readonly SortedDictionary<DateOnly, List<Record>> _dates = [];
    private long _flushed;

    private CallSpill(string path)
    {
        Path = path;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 };
        if (OperatingSystem.IsWindows())
        {
            options.Options = FileOptions.DeleteOnClose;
        }
        else
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // Unbuffered: the handle is read and written only with positional calls.
        _stream = new FileStream(path, options);
        _file = _stream.SafeFileHandle;
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(path);
        }

        _json = new Utf8JsonWriter(_pending);
    }

    /// <summary>The file's name (gone from the folder at once except on Windows).</summary>
    public string Path { get; }

    /// <summary>The dates of the rows spilled, in order.</summary>
    public IReadOnlyCollection<DateOnly> Dates => _dates.Keys;

    /// <summary>Bytes spilled.</summary>
    public long Bytes => _flushed + _pending.WrittenCount;

    /// <summary>A new, empty spill file in <paramref name="folder"/>.</summary>
    public static CallSpill Create(string folder) =>
        new(System.IO.Path.Combine(folder, "athos-export-" + Guid.NewGuid().ToString("N") + ".spill"));

    /// <summary>Appends <paramref name="row"/> under <paramref name="date"/>.</summary>
    public async ValueTask AddAsync(DateOnly date, CallRow row, CancellationToken cancellationToken)
    {
        var at = Bytes;
        JsonSerializer.Serialize(_json, row, RowJson);
        _json.Flush();
        _json.Reset();
        if (!_dates.TryGetValue(date, out var records))
        {
            _dates[date] = records = [];
        }

        records.Add(new Record(at, (int)(Bytes - at)));
        if (_pending.WrittenCount >= BufferBytes)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Writes out what is buffered: call it once every row is added, before reading any.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await RandomAccess.WriteAsync(_file, _pending.WrittenMemory, _flushed, cancellationToken);
        _flushed += _pending.WrittenCount;
        _pending.ResetWrittenCount();
    }

    /// <summary>The rows of <paramref name="date"/>, in the order they were added.</summary>
    public async IAsyncEnumerable<CallRow> ReadAsync(DateOnly date, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            foreach (var (offset, length) in _dates[date])
            {
                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                for (var read = 0; read < length;)
                {
                    var count = await RandomAccess.ReadAsync(_file, buffer.AsMemory(read, length - read), offset + read, cancellationToken);
                    read += count > 0 ? count : throw new EndOfStreamException($"The export's spill file {Path} ended before the row at {offset}.");
                }

                yield return JsonSerializer.Deserialize(buffer.AsSpan(0, length), RowJson)!;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        _json.Dispose();
        _stream.Dispose();
    }

    /// <summary>Where a row lies in the file.</summary>
    private readonly record struct Record(long Offset, int Length);
}

/// <summary>A spilled row's JSON (<see cref="CallSpill"/>).</summary>
[JsonSerializable(typeof(CallRow))]
internal sealed partial class CallSpillJsonContext : JsonSerializerContext;
