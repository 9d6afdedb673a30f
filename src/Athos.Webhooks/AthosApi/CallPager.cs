using System.Runtime.CompilerServices;

namespace Athos.Webhooks.AthosApi;

/// <summary>
/// The one way to page through <c>GET /calls</c>: every page is checked by a <see cref="PagingGuard"/>, so a cursor
/// that loops stops the listing with an error instead of paging forever. Used by the reconciler, backfills and the
/// rescan alike.
/// </summary>
internal sealed class CallPager(AthosClient athos)
{
    /// <summary>Every page of <paramref name="query"/>, in order.</summary>
    public async IAsyncEnumerable<CallPage> PagesAsync(CallListQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var guard = new PagingGuard();
        string? cursor = null;
        do
        {
            var page = await NextAsync(query, cursor, guard, cancellationToken);
            yield return page;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>One page of a chain whose earlier pages <paramref name="guard"/> remembers (and now this one too).</summary>
    public async Task<CallPage> NextAsync(CallListQuery query, string? cursor, PagingGuard guard, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var page = await athos.ListCallsPageAsync(query, cursor, cancellationToken);
        guard.Check(page, cursor);
        return page;
    }
}
