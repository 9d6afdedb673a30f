using System.Buffers.Binary;

namespace Athos.Simulator;

/// <summary>
/// The bytes of a call's archived recording, as the recording endpoint serves them: the Ogg capture pattern
/// <c>OggS</c>, then seeded noise (not a playable file: nothing downstream decodes audio). Every byte is a function of
/// <see cref="SimulatedCall.RecordingSeed"/> and its offset alone, so the endpoint can serve any range chunk by chunk
/// without holding the file, and a test can compare a 50 MB download byte for byte without keeping either copy in memory.
/// </summary>
public static class SimulatedRecording
{
    /// <summary>The media type the recording endpoint answers with.</summary>
    public const string ContentType = "audio/ogg";

    /// <summary>Athos deletes archived recordings this long after the call ended.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private static ReadOnlySpan<byte> CapturePattern => "OggS"u8;

    /// <summary>A read-only, seekable stream of the recording's bytes, generated as they are read.</summary>
    /// <exception cref="InvalidOperationException">The call has no recording.</exception>
    public static Stream OpenRead(SimulatedCall call) =>
        new RecordingStream(call.RecordingSeed, call.RecordingBytes ?? throw NoRecording(call));

    /// <summary>The whole recording in memory: convenient for small ones only.</summary>
    /// <exception cref="InvalidOperationException">The call has no recording.</exception>
    public static byte[] ContentOf(SimulatedCall call)
    {
        var length = call.RecordingBytes ?? throw NoRecording(call);
        var content = new byte[checked((int)length)];
        Fill(call.RecordingSeed, 0, content);
        return content;
    }

    /// <summary>Writes the recording's bytes from <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    internal static void Fill(int seed, long offset, Span<byte> destination)
    {
        Span<byte> block = stackalloc byte[8];
        var written = 0;
        while (written < destination.Length)
        {
            var position = offset + written;
            var index = position >> 3;
            var within = (int)(position & 7);
            if (within == 0 && index != 0 && destination.Length - written >= 8)
            {
                // The common case: a whole aligned block straight into the destination.
                BinaryPrimitives.WriteUInt64LittleEndian(destination[written..], Mix(seed, index));
                written += 8;
                continue;
            }

            BinaryPrimitives.WriteUInt64LittleEndian(block, Mix(seed, index));
            if (index == 0)
            {
                CapturePattern.CopyTo(block);
            }

            var take = Math.Min(8 - within, destination.Length - written);
            block.Slice(within, take).CopyTo(destination[written..]);
            written += take;
        }
    }

    // SplitMix64 of (seed, block index): random access into an endless deterministic byte sequence.
    private static ulong Mix(int seed, long index)
    {
        var z = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) + ((ulong)index * 0xD1B54A32D192ED03UL) + 0x2545F4914F6CDD1DUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static InvalidOperationException NoRecording(SimulatedCall call) =>
        new($"Call {call.Id} has no recording (RecordingBytes is null).");

    private sealed class RecordingStream(int seed, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var take = (int)Math.Clamp(length - _position, 0, buffer.Length);
            Fill(seed, _position, buffer[..take]);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
