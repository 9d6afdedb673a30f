using Athos.Simulator;
using Athos.Webhooks.Tests.Fixtures;
using static Athos.Webhooks.Tests.Simulator.SimulatorHttp;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>
/// A large recording is streamed, not built in memory: the simulator usually runs inside the process whose memory a
/// test measures, so serving 50 MB must cost that process a chunk, not the file. Run alone, so that other tests'
/// allocations do not blur the measurement.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class SimulatorLargeRecordingTests
{
    private const long RecordingBytes = 50L * 1024 * 1024;

    [Fact]
    public async Task A_50_MB_recording_downloads_byte_for_byte_while_the_process_allocates_a_small_fraction_of_it()
    {
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 51, Contract = AthosContract.Current }, cancellationToken: TestContext.Current.CancellationToken);
        using var api = ApiClient(simulator);
        using var plain = new HttpClient();
        var now = DateTimeOffset.UtcNow;
        var call = ScoredCall(simulator, SimulatedCall.RealCallSource, now.AddHours(-2), now.AddHours(-1)) with { RecordingBytes = RecordingBytes };
        simulator.Calls.Add(call);
        var url = (await api.GetJsonAsync($"calls/{call.Id}")).GetProperty("audioUrl").GetString()!;
        var received = new byte[64 * 1024];
        var expected = new byte[received.Length];

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await plain.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        await using var truth = SimulatedRecording.OpenRead(call);
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(received, TestContext.Current.CancellationToken)) > 0)
        {
            truth.ReadExactly(expected, 0, read);
            Assert.True(received.AsSpan(0, read).SequenceEqual(expected.AsSpan(0, read)), $"bytes {total}–{total + read} match");
            total += read;
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(RecordingBytes, total);
        Assert.Equal(RecordingBytes, response.Content.Headers.ContentLength);
        Assert.True(allocated < RecordingBytes / 10, $"downloading {RecordingBytes:N0} bytes allocated {allocated:N0} bytes");
    }
}
