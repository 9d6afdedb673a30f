using System.Net;
using System.Net.Http.Headers;
using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.UnitTests;

/// <summary><c>Retry-After</c> in either of its forms, read against the given clock.</summary>
public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 5, 14, 40, 0, TimeSpan.Zero);

    public static TheoryData<string, RetryConditionHeaderValue?, TimeSpan?> Headers => new()
    {
        { "seconds", new RetryConditionHeaderValue(TimeSpan.FromSeconds(120)), TimeSpan.FromSeconds(120) },
        { "a date ahead", new RetryConditionHeaderValue(Now.AddMinutes(5)), TimeSpan.FromMinutes(5) },
        { "a date past means now", new RetryConditionHeaderValue(Now.AddMinutes(-5)), TimeSpan.Zero },
        { "no header", null, null },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void The_delay_is_read_from_either_form(string form, RetryConditionHeaderValue? header, TimeSpan? expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = header;

        var found = RetryAfter.TryGetDelay(response, Now, out var delay);

        Assert.True(found == expected.HasValue, form);
        Assert.Equal(expected ?? default, delay);
    }
}
