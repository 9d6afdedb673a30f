using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Athos.Simulator;

/// <summary>
/// The list endpoint's opaque cursor: the last row served (its time on the list's axis, <c>endedAt</c> or
/// <c>startedAt</c>, and its id), the page number and a hash of the query, MAC-protected so that a forged or edited
/// cursor is refused with 400.
/// </summary>
internal sealed record ListCursor(long AxisTicks, string LastId, int NextPage, uint QueryHash)
{
    private const int MacLength = 16;

    public string Encode(byte[] key)
    {
        var id = Encoding.UTF8.GetBytes(LastId);
        var payload = new byte[8 + 4 + 4 + id.Length];
        BinaryPrimitives.WriteInt64BigEndian(payload, AxisTicks);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(8), NextPage);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(12), QueryHash);
        id.CopyTo(payload, 16);
        var mac = HMACSHA256.HashData(key, payload).AsSpan(0, MacLength);
        return Base64Url.EncodeToString([.. payload, .. mac]);
    }

    public static ListCursor? TryDecode(string text, byte[] key)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length < 16 + MacLength)
        {
            return null;
        }

        var payload = bytes.AsSpan(0, bytes.Length - MacLength);
        var expected = HMACSHA256.HashData(key, payload).AsSpan(0, MacLength);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(bytes.Length - MacLength)))
        {
            return null;
        }

        return new ListCursor(
            BinaryPrimitives.ReadInt64BigEndian(payload),
            Encoding.UTF8.GetString(payload[16..]),
            BinaryPrimitives.ReadInt32BigEndian(payload[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(payload[12..]));
    }
}
