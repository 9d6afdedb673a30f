namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// The most memory the process held while a measured step ran, above what it held when the step began: the managed
/// heap (<see cref="GC.GetTotalMemory"/>) and the working set, sampled every few milliseconds (the total allocated is
/// no peak: a step that streams allocates much and holds little). The baseline is taken after a full collection.
/// </summary>
internal sealed class PeakMemory : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(5);

    private readonly long _heapAtStart;
    private readonly long _liveAtStart;
    private readonly long _workingSetAtStart;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _heapPeak;
    private long _livePeak;
    private long _workingSetPeak;

    private PeakMemory()
    {
        _heapAtStart = GC.GetTotalMemory(forceFullCollection: true);
        _liveAtStart = GC.GetGCMemoryInfo().HeapSizeBytes;
        _workingSetAtStart = Environment.WorkingSet;
        (_heapPeak, _livePeak, _workingSetPeak) = (_heapAtStart, _liveAtStart, _workingSetAtStart);
        _sampling = Task.Run(SampleAsync);
    }

    /// <summary>The managed heap's peak above its start, in bytes, garbage not yet collected included.</summary>
    public long HeapGrowth => Volatile.Read(ref _heapPeak) - _heapAtStart;

    /// <summary>The heap as the last collection left it (what was still held then), at its most, above its start, in bytes.</summary>
    public long HeldGrowth => Volatile.Read(ref _livePeak) - _liveAtStart;

    /// <summary>The working set's peak above its start, in bytes.</summary>
    public long WorkingSetGrowth => Volatile.Read(ref _workingSetPeak) - _workingSetAtStart;

    /// <summary>The working set's peak, in bytes (the whole process: the runner, the benchmark's own copies of the rows).</summary>
    public long WorkingSetPeak => Volatile.Read(ref _workingSetPeak);

    public static PeakMemory Start() => new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample();
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the step is over.
        }
    }

    private void Sample()
    {
        _heapPeak = Math.Max(_heapPeak, GC.GetTotalMemory(forceFullCollection: false));
        _livePeak = Math.Max(_livePeak, GC.GetGCMemoryInfo().HeapSizeBytes);
        _workingSetPeak = Math.Max(_workingSetPeak, Environment.WorkingSet);
    }
}
