using System.Text;
using System.Text.Json;
using Athos.Webhooks.Enrichment;

namespace Athos.Webhooks.UnitTests;

/// <summary>The archive keeps Athos's bytes, except the recording link, which is a credential and is never stored.</summary>
public sealed class ArchiveBodyTests
{
    private const string Detail = """{"id":"athos_call_a","transcript":[{"role":"agent","content":"the audioUrl is \"x\"","audioUrl":"https://keep/nested"}],"score":{"overallScore":82},"audioUrl":"https://recordings.example/a.ogg?sig=SECRET&exp=1","audioUrlExpiresAt":"2026-06-05T15:40:54Z","updatedAt":"2026-06-05T14:40:54.100Z"}""";

    [Fact]
    public void The_recording_link_becomes_null_and_every_other_byte_is_kept()
    {
        var archived = CallProjection.ArchiveBody(Encoding.UTF8.GetBytes(Detail), storeTranscripts: true).ToString();

        Assert.Equal(Detail.Replace("\"https://recordings.example/a.ogg?sig=SECRET&exp=1\"", "null", StringComparison.Ordinal), archived);
        Assert.DoesNotContain("SECRET", archived, StringComparison.Ordinal);
        Assert.Contains("https://keep/nested", archived, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"athos_call_a","audioUrl":null}""")]
    [InlineData("""{"id":"athos_call_a"}""")]
    [InlineData("""{"id":"athos_call_a","nested":{"audioUrl":"https://keep"}}""")]
    public void A_body_without_a_top_level_link_is_stored_byte_for_byte(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.Equal(bytes, CallProjection.ArchiveBody(bytes, storeTranscripts: true).ToArray());
    }

    [Fact]
    public void Without_transcripts_the_link_is_dropped_too()
    {
        var archived = JsonDocument.Parse(CallProjection.ArchiveBody(Encoding.UTF8.GetBytes(Detail), storeTranscripts: false)).RootElement;

        Assert.False(archived.TryGetProperty("transcript", out _));
        Assert.Equal(JsonValueKind.Null, archived.GetProperty("audioUrl").ValueKind);
        Assert.Equal(82, archived.GetProperty("score").GetProperty("overallScore").GetInt32());
    }
}
