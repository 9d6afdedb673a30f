using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.UnitTests;

/// <summary>A chain of list pages cannot page forever: a repeated cursor, or a page that goes back in time, stops it.</summary>
public sealed class PagingGuardTests
{
    private static readonly DateTimeOffset T = new(2026, 6, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_cursor_returned_for_itself_is_a_loop()
    {
        var guard = new PagingGuard();
        guard.Check(Page("A", T), usedCursor: null);

        var error = Assert.Throws<AthosApiException>(() => guard.Check(Page("A", T.AddMinutes(-1)), usedCursor: "A"));

        Assert.Equal(new { Kind = AthosErrorKind.InvalidRequest, ErrorCode = (string?)PagingGuard.LoopCode, RequestId = (string?)"req_page" }, new { error.Kind, error.ErrorCode, error.RequestId });
    }

    [Fact]
    public void A_cursor_returned_again_two_pages_later_is_a_loop()
    {
        var guard = new PagingGuard();
        guard.Check(Page("A", T), null);
        guard.Check(Page("B", T.AddMinutes(-1)), "A");

        Assert.Throws<AthosApiException>(() => guard.Check(Page("A", T.AddMinutes(-2)), "B"));
    }

    [Fact]
    public void A_page_newer_than_one_already_served_is_a_loop_even_with_fresh_cursors()
    {
        var guard = new PagingGuard();
        guard.Check(Page("A", T, T.AddMinutes(-5)), null);

        Assert.Throws<AthosApiException>(() => guard.Check(Page("C", T.AddMinutes(-1)), "A"));
    }

    [Fact]
    public void Pages_that_overlap_at_the_boundary_and_move_on_are_fine()
    {
        var guard = new PagingGuard();
        guard.Check(Page("A", T, T.AddMinutes(-5)), null);
        guard.Check(Page("B", T.AddMinutes(-5), T.AddMinutes(-9)), "A");
        guard.Check(Page(null, T.AddMinutes(-9)), "B");
    }

    [Fact]
    public void A_guard_carried_between_work_items_remembers_the_chain()
    {
        var guard = new PagingGuard();
        guard.Check(Page("A", T), null);
        guard.Check(Page("B", T.AddMinutes(-1)), "A");

        var restored = PagingGuard.Restore(guard.Save());

        Assert.Throws<AthosApiException>(() => restored.Check(Page("A", T.AddMinutes(-2)), "B"));
        Assert.Throws<AthosApiException>(() => PagingGuard.Restore(guard.Save()).Check(Page("Z", T.AddMinutes(1)), "B"));
    }

    [Fact]
    public void Real_calls_are_ordered_by_start_time()
    {
        var guard = new PagingGuard();
        guard.Check(RealCallPage("A", startedAt: T, endedAt: T.AddHours(2)), null);

        guard.Check(RealCallPage(null, startedAt: T.AddMinutes(-1), endedAt: T.AddHours(3)), "A");
    }

    private static CallPage Page(string? next, params DateTimeOffset[] endedAt) => new()
    {
        Data = [.. endedAt.Select((t, i) => new CallSummary { Id = $"athos_call_{t.Ticks}_{i}", Source = CallSources.Roleplay, EndedAt = t })],
        NextCursor = next,
        RequestId = "req_page",
    };

    private static CallPage RealCallPage(string? next, DateTimeOffset startedAt, DateTimeOffset endedAt) => new()
    {
        Data = [new CallSummary { Id = "athos_call_real", Source = CallSources.RealCall, StartedAt = startedAt, EndedAt = endedAt }],
        NextCursor = next,
    };
}
