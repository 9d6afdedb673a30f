using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Athos.Simulator;

/// <summary>A signed, expiring link to a call's recording, as the detail's <c>audioUrl</c> and <c>audioUrlExpiresAt</c>.</summary>
internal readonly record struct RecordingLink(Uri Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Mints and checks the recording links: <c>/recordings/{callId}.ogg?expires=&lt;unix seconds&gt;&amp;sig=&lt;hex&gt;</c>,
/// where <c>sig</c> is an HMAC over the method, the call id and the expiry with a per-process key. The link is its own
/// credential, like a cloud storage signed URL: it is valid for <c>GET</c> only and until it expires.
/// </summary>
internal sealed class RecordingLinks(SimulatorOptions options)
{
    public const string PathPrefix = "/recordings/";
    public const string FileExtension = ".ogg";

    // Per process, like the list cursors: a link minted by another simulator is refused.
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <summary>A fresh link to <paramref name="call"/>'s recording, or <see langword="null"/> when Athos has none (any more).</summary>
    /// <param name="origin">Scheme, host and port the client reached the simulator on.</param>
    public RecordingLink? For(SimulatedCall call, string origin, DateTimeOffset now)
    {
        if (call.RecordingBytes is null || IsDeleted(call, now))
        {
            return null;
        }

        // Whole seconds, so that the link's expires and audioUrlExpiresAt name the same instant.
        var expires = (now + options.RecordingLinkLifetime).ToUnixTimeSeconds();
        var url = string.Create(CultureInfo.InvariantCulture, $"{origin}{PathPrefix}{Uri.EscapeDataString(call.Id)}{FileExtension}?expires={expires}&sig={Sign(call.Id, expires)}");
        return new RecordingLink(new Uri(url), DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>Athos deletes a recording <see cref="SimulatedRecording.Retention"/> after the call ended.</summary>
    public static bool IsDeleted(SimulatedCall call, DateTimeOffset now) => now - call.EndedAt > SimulatedRecording.Retention;

    /// <summary>Whether <paramref name="signature"/> is this simulator's signature of the call id and expiry.</summary>
    public bool IsSigned(string callId, string? expiresText, string? signature, out long expires)
    {
        expires = 0;
        if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out expires) || signature is null)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(callId, expires)), Encoding.ASCII.GetBytes(signature));
    }

    private string Sign(string callId, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"GET\n{callId}\n{expires}"))));
}
