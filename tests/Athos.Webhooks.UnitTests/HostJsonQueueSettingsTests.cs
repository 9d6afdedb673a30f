using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// host.json's queue block, read as the Functions host reads it and checked by the validator start-up runs: a bad value
/// gives exactly one failure, naming the setting as host.json writes it; a file that cannot be read names the file.
/// </summary>
public sealed class HostJsonQueueSettingsTests
{
    [Theory]
    [InlineData("\"batchSize\": 0", "host.json extensions.queues.batchSize must be between 1 and 32; got 0.")]
    [InlineData("\"batchSize\": 33", "host.json extensions.queues.batchSize must be between 1 and 32; got 33.")]
    [InlineData("\"newBatchThreshold\": -1", "host.json extensions.queues.newBatchThreshold must be a whole number of at least 0; got -1.")]
    [InlineData("\"maxPollingInterval\": \"00:00:00.050\"", "host.json extensions.queues.maxPollingInterval must be a duration of at least 00:00:00.100")]
    [InlineData("\"visibilityTimeout\": \"-00:00:01\"", "host.json extensions.queues.visibilityTimeout must be a duration between 00:00:00 and 7.00:00:00")]
    [InlineData("\"visibilityTimeout\": \"8.00:00:00\"", "host.json extensions.queues.visibilityTimeout must be a duration between 00:00:00 and 7.00:00:00")]
    [InlineData("\"maxDequeueCount\": 0", "host.json extensions.queues.maxDequeueCount must be a whole number of at least 1; got 0.")]
    [InlineData("\"messageEncoding\": \"none\"", "host.json extensions.queues.messageEncoding is 'none'; work items are written base64-encoded, so it must be 'base64'.")]
    public void A_bad_value_gives_one_failure_naming_the_setting(string queues, string expected)
    {
        using var file = Queues(queues);

        var failure = Assert.Single(Failures(file));

        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"extensions\": { \"queues\": { \"batchSize\": \"sixteen\" } } }", "'extensions:queues:batchSize'")]
    [InlineData("{ \"extensions\": { \"queues\": { \"visibilityTimeout\": \"a minute\" } } }", "'extensions:queues:visibilityTimeout'")]
    [InlineData("{ not json", "is not valid host.json")]
    public void A_file_that_cannot_be_read_names_the_file_and_the_setting(string json, string expected)
    {
        using var file = new HostJsonFile(json);

        var failure = Assert.Single(Failures(file));

        Assert.StartsWith($"{file.Path} is not valid host.json: ", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_are_read_as_host_json_writes_them_with_comments_and_any_case()
    {
        using var file = new HostJsonFile("""
            {
              // As the Functions host reads it: comments, trailing commas, keys in any case.
              "Extensions": { "Queues": { "batchSize": 10, "MAXDEQUEUECOUNT": 3, "visibilityTimeout": "00:00:30", "maxPollingInterval": "00:00:02", "messageEncoding": "Base64", }, },
            }
            """);

        var queue = Read(file);

        Assert.Equal(
            new { BatchSize = 10, NewBatchThreshold = 5, MaxPollingInterval = TimeSpan.FromSeconds(2), VisibilityTimeout = TimeSpan.FromSeconds(30), MaxDequeueCount = 3 },
            new { queue.BatchSize, queue.NewBatchThreshold, queue.MaxPollingInterval, queue.VisibilityTimeout, queue.MaxDequeueCount });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{ \"version\": \"2.0\" }")]
    public void No_file_or_no_queue_block_gives_the_Functions_host_defaults(string? json)
    {
        using var file = new HostJsonFile(json);

        var queue = Read(file);

        Assert.Equal(
            new { BatchSize = 16, NewBatchThreshold = 8, MaxPollingInterval = TimeSpan.FromMinutes(1), VisibilityTimeout = TimeSpan.Zero, MaxDequeueCount = 5 },
            new { queue.BatchSize, queue.NewBatchThreshold, queue.MaxPollingInterval, queue.VisibilityTimeout, queue.MaxDequeueCount });
    }

    [Fact]
    public async Task A_bad_value_stops_the_host_as_it_starts_naming_the_setting()
    {
        using var file = Queues("\"maxDequeueCount\": 0");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHostJsonQueueSettings(file.Path);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.StartsWith("host.json extensions.queues.maxDequeueCount must be", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    private static HostJsonFile Queues(string queues) => new($$"""{ "extensions": { "queues": { {{queues}} } } }""");

    private static QueueOptions Read(HostJsonFile file)
    {
        using var services = new ServiceCollection().AddHostJsonQueueSettings(file.Path).BuildServiceProvider();
        return services.GetRequiredService<QueueOptions>();
    }

    private static IReadOnlyList<string> Failures(HostJsonFile file)
    {
        using var services = new ServiceCollection().AddHostJsonQueueSettings(file.Path).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<QueueOptions>>().Value);
        return [.. error.Failures];
    }

    /// <summary>A host.json of its own in a fresh directory (none at all when the text is null), deleted afterwards.</summary>
    private sealed class HostJsonFile : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("host-json-").FullName;

        public HostJsonFile(string? json)
        {
            Path = System.IO.Path.Combine(_directory, "host.json");
            if (json is not null)
            {
                File.WriteAllText(Path, json);
            }
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
