using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Athos.Webhooks.Webhooks;

/// <summary>What a signature check concluded.</summary>
internal enum SignatureOutcome
{
    Valid,

    /// <summary>No <c>X-Athos-Signature</c> header.</summary>
    Missing,

    /// <summary>The header is not <c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=…]</c>.</summary>
    Malformed,

    /// <summary>No <c>v1</c> matches any configured secret.</summary>
    Mismatch,

    /// <summary>A <c>v1</c> matches, but <c>t</c> is outside the tolerance (replay protection, both directions).</summary>
    Stale,
}

/// <summary>
/// Athos's webhook signature, exactly as the contract defines it:
/// <c>v1 = lowercase hex(HMAC-SHA256(key = UTF-8 bytes of the whole secret, message = "&lt;t&gt;." + raw body))</c>.
/// </summary>
/// <remarks>
/// A pure function of its inputs (the clock is passed in). The header is parsed as <c>k=v</c> pairs in any order,
/// spaces and unknown keys tolerated; any <c>v1</c> that matches any secret (current or previous) is enough. Public
/// because a sender of test deliveries signs with it (<c>send-test-webhook</c>: <see cref="HeaderName"/>,
/// <see cref="CreateHeader"/>).
/// </remarks>
public static class WebhookSignature
{
    public const string HeaderName = "X-Athos-Signature";

    // Bounds the work a forged header can cause: at most this many v1 values are tried.
    private const int MaxSignatures = 8;
    private const int MaxHeaderLength = 2048;
    private const int HashHexLength = 64;

    internal static SignatureOutcome Verify(string? header, ReadOnlySpan<byte> body, IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan tolerance) =>
        Verify(header, body, secrets, now, tolerance, out _);

    /// <summary>As above, and the signed <c>t</c> of a header that parsed (0 otherwise).</summary>
    internal static SignatureOutcome Verify(string? header, ReadOnlySpan<byte> body, IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan tolerance, out long signedAt)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        signedAt = 0;
        if (string.IsNullOrWhiteSpace(header))
        {
            return SignatureOutcome.Missing;
        }

        if (!TryParse(header, out var timestamp, out var signatures))
        {
            return SignatureOutcome.Malformed;
        }

        signedAt = timestamp;

        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        var matched = false;
        foreach (var secret in secrets)
        {
            Compute(secret, timestamp, body, expected);
            foreach (var signature in signatures)
            {
                // Every candidate is compared in full, in constant time.
                matched |= CryptographicOperations.FixedTimeEquals(expected, signature);
            }
        }

        if (!matched)
        {
            return SignatureOutcome.Mismatch;
        }

        return Math.Abs(now.ToUnixTimeSeconds() - timestamp) > (long)tolerance.TotalSeconds ? SignatureOutcome.Stale : SignatureOutcome.Valid;
    }

    /// <summary>The lowercase hex <c>v1</c> for a body: what Athos sends, and what <c>send-test-webhook</c> signs with.</summary>
    internal static string ComputeV1(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Compute(secret, timestamp, body, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// The lowercase hex SHA-256 of what a signature covers, <c>"&lt;t&gt;." + body</c>: the same for every delivery of the
    /// same signed content, whatever its webhook id, and independent of the secret (so it survives a rotation).
    /// </summary>
    internal static string ContentHash(long timestamp, ReadOnlySpan<byte> body)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "."));
        sha.AppendData(body);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>A complete header value: <c>t=&lt;timestamp&gt;,v1=&lt;hex&gt;</c>.</summary>
    public static string CreateHeader(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        string.Create(CultureInfo.InvariantCulture, $"t={timestamp},v1={ComputeV1(secret, timestamp, body)}");

    private static void Compute(string secret, long timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        Span<byte> prefix = stackalloc byte[24];
        var written = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".", prefix);
        hmac.AppendData(prefix[..written]);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }

    private static bool TryParse(string header, out long timestamp, out List<byte[]> signatures)
    {
        timestamp = 0;
        signatures = [];
        if (header.Length > MaxHeaderLength)
        {
            return false;
        }

        var sawTimestamp = false;
        foreach (var part in header.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                if (string.IsNullOrWhiteSpace(part))
                {
                    continue;
                }

                return false;
            }

            var key = part.AsSpan(0, equals).Trim();
            var value = part.AsSpan(equals + 1).Trim();
            if (key.SequenceEqual("t"))
            {
                // One timestamp, plain digits, small enough that no arithmetic on it can overflow.
                if (sawTimestamp || value.Length is 0 or > 12 || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
                {
                    return false;
                }

                sawTimestamp = true;
            }
            else if (key.SequenceEqual("v1"))
            {
                if (signatures.Count == MaxSignatures)
                {
                    return false;
                }

                // A value that is not 64 hex characters can never match; it is kept out rather than refused,
                // so that a garbled extra v1 does not hide a good one.
                if (value.Length == HashHexLength && IsHex(value))
                {
                    signatures.Add(Convert.FromHexString(value));
                }
            }
        }

        return sawTimestamp && signatures.Count > 0;
    }

    private static bool IsHex(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
