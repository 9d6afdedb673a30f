namespace Athos.Webhooks.WorkItems;

/// <summary>
/// Puts parked work items back on <c>athos-calls</c> once their cause is fixed (a rotated API key, say). A moved item
/// is marked <c>origin: redrive</c> (so that webhook deduplication does not skip it) and starts afresh; a parked message
/// that is not a work item stays parked, for a person to look at.
/// </summary>
internal sealed class ParkedRedrive(PoisonSweeper sweeper, ParkedWork parked, WorkQueue work, TimeProvider time)
{
    /// <summary>Redrives every parked item (<paramref name="dryRun"/>: only counts them, and what waits in the poison queue).</summary>
    public async Task<RedriveResult> RunAsync(bool dryRun, CancellationToken cancellationToken = default)
    {
        if (dryRun)
        {
            return new RedriveResult((await parked.ListAsync(cancellationToken)).Count + await sweeper.CountAsync(cancellationToken), 0, 0);
        }

        // Whatever the host moved to the poison queue is parked first, so that it is redriven too.
        await sweeper.SweepAsync(cancellationToken);
        var items = await parked.ListAsync(cancellationToken);

        int moved = 0, unreadable = 0;
        foreach (var item in items)
        {
            WorkItem workItem;
            try
            {
                workItem = WorkItemSerializer.Deserialize(BinaryData.FromBytes(Convert.FromBase64String(item.Body)));
            }
            catch (Exception ex) when (ex is InvalidWorkItemException or FormatException)
            {
                unreadable++;
                continue;
            }

            await work.EnqueueAsync(workItem with { Origin = WorkOrigin.Redrive, Deferrals = 0, ReceivedAt = time.GetUtcNow() }, cancellationToken);
            await parked.RemoveAsync(item, cancellationToken);
            moved++;
        }

        return new RedriveResult(items.Count, moved, unreadable);
    }
}

/// <summary>How many items were parked, how many went back, how many stayed because they are not work items.</summary>
internal sealed record RedriveResult(int Found, int Moved, int Unreadable);
