using System.Buffers;

namespace Athos.Webhooks.Webhooks;

/// <summary>Reads a request body into memory, never more than a limit.</summary>
internal static class BoundedBody
{
    /// <summary>The body, or <see langword="null"/> when it is longer than <paramref name="limit"/> (reading stops there).</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), cancellationToken)) > 0)
            {
                length += read;
                if (length > limit)
                {
                    return null;
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
