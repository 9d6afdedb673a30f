// Follows the calls Athos.Webhooks stores, as a sync job would: reads every change after the checkpoint kept in a
// file, prints each change and the call it reports, then keeps the new checkpoint for the next run.
//
//   dotnet run --project samples/CallFeedFollower -- <checkpoint-file>
//
// The storage account comes from ATHOS_CONSUMER_STORAGE (a connection string; Storage Table Data Reader is enough).
using System.Globalization;
using Athos.Webhooks.Consumer;
using Azure.Data.Tables;

if (args.Length != 1)
{
    await Console.Error.WriteLineAsync("usage: CallFeedFollower <checkpoint-file>  (storage connection string in ATHOS_CONSUMER_STORAGE)");
    return 2;
}

if (Environment.GetEnvironmentVariable("ATHOS_CONSUMER_STORAGE") is not { Length: > 0 } connectionString)
{
    await Console.Error.WriteLineAsync("ATHOS_CONSUMER_STORAGE is not set: give the storage account's connection string.");
    return 2;
}

var checkpointFile = args[0];
var checkpoint = File.Exists(checkpointFile) ? (await File.ReadAllTextAsync(checkpointFile)).Trim() : null;
if (checkpoint is not null && !CallChangeFeed.IsCheckpoint(checkpoint))
{
    await Console.Error.WriteLineAsync($"{checkpointFile} holds no checkpoint of the change feed: delete it to read from the start.");
    return 2;
}

Console.WriteLine(checkpoint is null ? "reading every change kept" : $"resuming after {checkpoint}");

// The composition root of this program: the one place that picks the system clock.
var feed = new CallChangeFeed(new TableServiceClient(connectionString), TimeProvider.System);
try
{
    CallChangePage page;
    do
    {
        page = await feed.ReadChangesAsync(checkpoint);
        foreach (var change in page.Changes)
        {
            Console.WriteLine($"change {change.KindName} {change.CallId}");
            if (change.Kind != CallChangeKind.Erased && await feed.GetCallAsync(change.CallId) is { } call)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"call {call.CallId} {call.Status} score={call.OverallScore?.ToString(CultureInfo.InvariantCulture) ?? "-"} rep={call.ExternalUserId ?? call.AgentId ?? "-"}"));
            }
        }

        // Kept once the page is processed: a run that stops half-way reads the rest next time. Written beside the file and
        // moved over it, so that a run killed mid-write leaves the old checkpoint, never an empty one.
        checkpoint = page.Checkpoint;
        await File.WriteAllTextAsync(checkpointFile + ".tmp", checkpoint);
        File.Move(checkpointFile + ".tmp", checkpointFile, overwrite: true);
    }
    while (page.HasMore);
}
catch (CheckpointExpiredException expired)
{
    await Console.Error.WriteLineAsync(expired.Message);
    return 3;
}
catch (ClockSkewException skew)
{
    await Console.Error.WriteLineAsync(skew.Message);
    return 4;
}

Console.WriteLine($"next checkpoint: {checkpoint}");
return 0;
