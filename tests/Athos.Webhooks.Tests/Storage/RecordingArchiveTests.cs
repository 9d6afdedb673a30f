using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Storage.Blobs;

namespace Athos.Webhooks.Tests.Storage;

/// <summary>
/// A recording copied over several attempts into <c>athos-recordings</c>: each attempt stops when its time is up with the
/// bytes in hand staged, the next resumes after them, and two copies of one recording at once never mix their blocks.
/// </summary>
public sealed class RecordingArchiveTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const int Length = (5 * RecordingArchive.BlockBytes) + 12_345;
    private static readonly CallVersion Version = CallVersion.Scored(DateTimeOffset.UnixEpoch, null);
    private readonly byte[] _content = Content();
    private RecordingArchive _archive = null!;
    private BlobContainerClient _container = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        var blobs = new BlobServiceClient(storage.ConnectionString);
        _container = blobs.GetBlobContainerClient(StorageNames.RecordingsContainer);
        await _container.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        _archive = new RecordingArchive(blobs);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Attempts_stopped_part_way_resume_after_the_staged_bytes_and_commit_the_recording_byte_for_byte()
    {
        const string CallId = "athos_call_resumed";
        var stops = new[] { RecordingArchive.BlockBytes + 1_000, (3 * RecordingArchive.BlockBytes) + 77 };
        foreach (var stopAt in stops)
        {
            var staged = (await _archive.StagedAsync(CallId, TestContext.Current.CancellationToken)).Longest();
            var progress = await WriteAsync(CallId, staged, from: (int)staged.Length, stopAt);

            Assert.Equal(new RecordingProgress(stopAt, Committed: false), progress);
            Assert.False((await _container.GetBlobClient(RecordingArchive.BlobName(CallId)).ExistsAsync(TestContext.Current.CancellationToken)).Value);
        }

        var rest = (await _archive.StagedAsync(CallId, TestContext.Current.CancellationToken)).Longest();
        Assert.Equal(stops[^1], rest.Length);
        var done = await WriteAsync(CallId, rest, from: (int)rest.Length, stopAt: null);

        Assert.Equal(new RecordingProgress(Length, Committed: true), done);
        Assert.Equal(_content, (await _container.GetBlobClient(RecordingArchive.BlobName(CallId)).DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToArray());
    }

    /// <summary>
    /// One copy stops part-way through a block while another has staged that block whole, then each goes on: with a
    /// block named by its offset alone, the later one would replace the other's bytes and a commit would lose or repeat them.
    /// </summary>
    [Fact]
    public async Task Two_copies_of_one_recording_staging_at_once_never_replace_each_others_blocks()
    {
        const string CallId = "athos_call_twice";
        var whole = await WriteAsync(CallId, StagedRecording.Nothing, from: 0, stopAt: 2 * RecordingArchive.BlockBytes);
        var partial = await WriteAsync(CallId, StagedRecording.Nothing, from: 0, stopAt: RecordingArchive.BlockBytes + 10);
        Assert.Equal([false, false], new[] { whole.Committed, partial.Committed });

        // The first copy resumes after what it staged (two whole blocks), the second after its own (a block and 10 bytes).
        var first = (await _archive.StagedAsync(CallId, TestContext.Current.CancellationToken)).Longest();
        Assert.Equal(2 * RecordingArchive.BlockBytes, first.Length);
        var second = new StagedBlocks([.. (await _archive.StagedAsync(CallId, TestContext.Current.CancellationToken)).Blocks.Where(b => b.Offset == 0 || b.Size == 10)]).Longest();
        Assert.Equal(RecordingArchive.BlockBytes + 10, second.Length);

        var done = await WriteAsync(CallId, second, from: (int)second.Length, stopAt: null);
        var late = await WriteAsync(CallId, first, from: (int)first.Length, stopAt: null);

        Assert.Equal([true, true], new[] { done.Committed, late.Committed });
        Assert.Equal(_content, (await _container.GetBlobClient(RecordingArchive.BlobName(CallId)).DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToArray());
    }

    [Fact]
    public async Task A_recording_that_ends_at_another_length_than_its_host_said_is_not_committed()
    {
        const string CallId = "athos_call_short";
        using var stop = new CancellationTokenSource();
        await using var content = new MemoryStream(_content, 0, Length - 1);

        await Assert.ThrowsAsync<IOException>(() => _archive.WriteAsync(CallId, content, StagedRecording.Nothing, 0, Length, "audio/ogg", Version, long.MaxValue, TimeSpan.FromSeconds(10), stop.Token, TestContext.Current.CancellationToken));

        Assert.False((await _container.GetBlobClient(RecordingArchive.BlobName(CallId)).ExistsAsync(TestContext.Current.CancellationToken)).Value);
    }

    // The recording from byte `from`, as a host would send it after a range; the attempt's time runs out at byte `stopAt`.
    private async Task<RecordingProgress> WriteAsync(string callId, StagedRecording staged, int from, int? stopAt)
    {
        using var stop = new CancellationTokenSource();
        await using var content = new StoppingStream(_content, from, stopAt, stop);
        return await _archive.WriteAsync(callId, content, staged, 0, Length, "audio/ogg", Version, long.MaxValue, TimeSpan.FromSeconds(10), stop.Token, TestContext.Current.CancellationToken);
    }

    private static byte[] Content()
    {
        var bytes = new byte[Length];
        new Random(99).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Sends <c>content[from..]</c>; at <c>stopAt</c> it fires the attempt's stop and sends nothing more.</summary>
    private sealed class StoppingStream(byte[] content, int from, int? stopAt, CancellationTokenSource stop) : Stream
    {
        private int _position = from;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var end = stopAt ?? content.Length;
            if (_position >= end && stopAt is not null)
            {
                await stop.CancelAsync();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var count = Math.Min(buffer.Length, end - _position);
            content.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush() => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
