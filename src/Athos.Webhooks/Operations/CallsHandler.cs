using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Azure.Data.Tables;

namespace Athos.Webhooks.Operations;

/// <summary><c>calls list</c>, <c>calls show</c> and <c>calls changes</c>: the stored calls and the change feed as a consumer reads them.</summary>
public interface ICallsHandler
{
    /// <summary>The stored calls of a rep (their own id, else Athos's agentId), newest first: 0.</summary>
    Task<int> ListCallsByRepAsync(string rep, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken);

    /// <summary>The stored calls of a UTC day, newest first: 0.</summary>
    Task<int> ListCallsByDayAsync(DateOnly day, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken);

    /// <summary>The stored calls of an agency between two UTC days (inclusive), newest first: 0.</summary>
    Task<int> ListCallsByAgencyAsync(string agency, DateOnly from, DateOnly until, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken);

    /// <summary>One stored call: 0, or 1 when none is stored under <paramref name="callId"/>.</summary>
    Task<int> ShowCallAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken);

    /// <summary>
    /// Every change after <paramref name="checkpoint"/> (<see cref="CallChangeFeed"/>), page by page, then
    /// <c>next checkpoint: …</c> on <paramref name="messages"/>: 0, 2 when the checkpoint is older than the retention, 3 when
    /// this machine's clock is too far from the storage service's to read safely.
    /// </summary>
    Task<int> ReadChangesAsync(string checkpoint, TimeProvider time, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken);
}

/// <inheritdoc cref="ICallsHandler"/>
internal sealed class CallsHandler(CallReader reader, TableServiceClient tables, IOptions<ChangeFeedOptions> feedOptions) : ICallsHandler
{
    public Task<int> ListCallsByRepAsync(string rep, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken) =>
        ListCallsAsync(reader.ByRepAsync(rep, top, cancellationToken), format, output);

    public Task<int> ListCallsByDayAsync(DateOnly day, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken) =>
        ListCallsAsync(reader.ByDayAsync(day, top, cancellationToken), format, output);

    public Task<int> ListCallsByAgencyAsync(string agency, DateOnly from, DateOnly until, int top, OutputFormat format, TextWriter output, CancellationToken cancellationToken) =>
        ListCallsAsync(reader.ByAgencyAsync(agency, from, until, top, cancellationToken), format, output);

    public async Task<int> ShowCallAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken)
    {
        OutputFormats.TableOrJson(format);
        ArgumentNullException.ThrowIfNull(messages);
        var row = await reader.GetAsync(callId.Value, cancellationToken);
        if (row is null)
        {
            await messages.WriteLineAsync($"No stored call {callId}.");
            return 1;
        }

        CallOutput.WriteOne(output, row, format);
        return 0;
    }

    public async Task<int> ReadChangesAsync(string checkpoint, TimeProvider time, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var feed = new CallChangeFeed(tables, time, feedOptions.Value.Retention);
        var writer = new ChangeOutput(output, format);
        try
        {
            CallChangePage page;
            do
            {
                page = await feed.ReadChangesAsync(checkpoint, CallChangeFeed.MaxPageSize, cancellationToken);
                writer.Write(page.Changes);
                checkpoint = page.Checkpoint;
            }
            while (page.HasMore);
        }
        catch (CheckpointExpiredException ex)
        {
            await messages.WriteLineAsync($"--since: {ex.Message}");
            return 2;
        }
        catch (ClockSkewException ex)
        {
            // Every page is checked before it is printed: no change read up to a wrong bound is printed.
            await messages.WriteLineAsync(ex.Message);
            return 3;
        }

        writer.Complete();
        await messages.WriteLineAsync($"next checkpoint: {checkpoint}");
        return 0;
    }

    private static async Task<int> ListCallsAsync(Task<List<CallRow>> read, OutputFormat format, TextWriter output)
    {
        CallOutput.Write(output, await read, format);
        return 0;
    }
}
