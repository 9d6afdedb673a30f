using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Athos.Simulator;

/// <summary>Athos's side of the webhook signature: <c>t=&lt;unix&gt;,v1=hex(HMAC-SHA256(secret, "t." + body))</c>.</summary>
public static class WebhookSigner
{
    public const string SignatureHeader = "X-Athos-Signature";
    public const string WebhookIdHeader = "X-Athos-Webhook-Id";

    /// <summary>The lowercase hex HMAC, keyed with the UTF-8 bytes of the whole secret (prefix included, nothing decoded).</summary>
    public static string ComputeV1(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public static string Header(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        string.Create(CultureInfo.InvariantCulture, $"t={timestamp},v1={ComputeV1(secret, timestamp, body)}");
}
