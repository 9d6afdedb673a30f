using System.Text;
using Athos.Simulator;
using Athos.Webhooks.Webhooks;

namespace Athos.Webhooks.UnitTests;

/// <summary>The signature check as a pure function, with signatures made by the simulator's independent signer.</summary>
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly DateTimeOffset Now = new(2026, 6, 5, 14, 40, 54, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"event":"call.scored","success":true,"callId":"athos_call_x"}""");
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private static long T => Now.ToUnixTimeSeconds();

    [Fact]
    public void A_signature_made_by_Athos_verifies() =>
        Assert.Equal(SignatureOutcome.Valid, Verify(WebhookSigner.Header(Secret, T, Body)));

    [Fact]
    public void ComputeV1_matches_the_simulator_signer_byte_for_byte() =>
        Assert.Equal(WebhookSigner.ComputeV1(Secret, T, Body), WebhookSignature.ComputeV1(Secret, T, Body));

    [Fact]
    public void Changing_one_byte_of_the_body_breaks_it()
    {
        var header = WebhookSigner.Header(Secret, T, Body);
        var tampered = (byte[])Body.Clone();
        tampered[^3] ^= 0x01;

        Assert.Equal(SignatureOutcome.Mismatch, WebhookSignature.Verify(header, tampered, [Secret], Now, Tolerance));
    }

    [Theory]
    [InlineData(-300, nameof(SignatureOutcome.Valid))]
    [InlineData(300, nameof(SignatureOutcome.Valid))]
    [InlineData(-301, nameof(SignatureOutcome.Stale))]
    [InlineData(301, nameof(SignatureOutcome.Stale))]
    public void The_timestamp_must_be_within_five_minutes_either_way(int offsetSeconds, string expected) =>
        Assert.Equal(expected, Verify(WebhookSigner.Header(Secret, T + offsetSeconds, Body)).ToString());

    [Fact]
    public void Order_spaces_unknown_keys_and_several_v1_values_are_tolerated()
    {
        var good = WebhookSigner.ComputeV1(Secret, T, Body);
        var wrong = new string('0', 64);

        Assert.Equal(SignatureOutcome.Valid, Verify($" v1={wrong} , v0=abc, t={T} ,  v1={good}, scheme=hmac "));
    }

    [Fact]
    public void The_previous_secret_is_accepted_only_when_configured()
    {
        const string Previous = "whsec_previous0000000000000000000000";
        var header = WebhookSigner.Header(Previous, T, Body);

        Assert.Equal(SignatureOutcome.Mismatch, WebhookSignature.Verify(header, Body, [Secret], Now, Tolerance));
        Assert.Equal(SignatureOutcome.Valid, WebhookSignature.Verify(header, Body, [Secret, Previous], Now, Tolerance));
    }

    [Fact]
    public void The_key_is_the_whole_secret_string_not_its_decoded_part()
    {
        var withoutPrefix = WebhookSigner.Header(Secret["whsec_".Length..], T, Body);

        Assert.Equal(SignatureOutcome.Mismatch, Verify(withoutPrefix));
    }

    [Fact]
    public void A_stale_header_with_a_wrong_signature_is_a_mismatch_not_stale() =>
        Assert.Equal(SignatureOutcome.Mismatch, Verify($"t={T - 1000},v1={new string('a', 64)}"));

    [Theory]
    [InlineData(null, nameof(SignatureOutcome.Missing))]
    [InlineData("", nameof(SignatureOutcome.Missing))]
    [InlineData("   ", nameof(SignatureOutcome.Missing))]
    [InlineData("v1=abc", nameof(SignatureOutcome.Malformed))]
    [InlineData("t=1780000000", nameof(SignatureOutcome.Malformed))]
    [InlineData("t=soon,v1=0000000000000000000000000000000000000000000000000000000000000000", nameof(SignatureOutcome.Malformed))]
    [InlineData("t=-5,v1=0000000000000000000000000000000000000000000000000000000000000000", nameof(SignatureOutcome.Malformed))]
    [InlineData("t=1,t=2,v1=0000000000000000000000000000000000000000000000000000000000000000", nameof(SignatureOutcome.Malformed))]
    [InlineData("t=99999999999999999999,v1=0000000000000000000000000000000000000000000000000000000000000000", nameof(SignatureOutcome.Malformed))]
    [InlineData("garbage", nameof(SignatureOutcome.Malformed))]
    [InlineData("t=1780000000;v1=0000000000000000000000000000000000000000000000000000000000000000", nameof(SignatureOutcome.Malformed))]
    [InlineData("t=1780000000,v1=zz00000000000000000000000000000000000000000000000000000000000000", nameof(SignatureOutcome.Malformed))]
    [InlineData("t=1780000000,v1=00", nameof(SignatureOutcome.Malformed))]
    public void Missing_and_garbled_headers_never_verify(string? header, string expected) =>
        Assert.Equal(expected, Verify(header).ToString());

    private static SignatureOutcome Verify(string? header) => WebhookSignature.Verify(header, Body, [Secret], Now, Tolerance);
}
