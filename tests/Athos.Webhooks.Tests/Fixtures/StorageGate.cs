using Azure.Core;
using Azure.Core.Pipeline;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// A storage pipeline policy that lets a test interleave concurrent writers deterministically, without any seam in
/// the product: each writer runs as a named actor (<see cref="RunAs{T}"/>, an <see cref="AsyncLocal{T}"/> that flows
/// into the pipeline), and a <see cref="Pause"/> holds that actor's first matching request until the test releases it
/// (or makes it fail, as a process that dies there). Optionally every request waits a random moment first (stress).
/// </summary>
public sealed class StorageGate : HttpPipelinePolicy
{
    private static readonly AsyncLocal<string?> Actor = new();

    private readonly Lock _lock = new();
    private readonly List<Pause> _pauses = [];
    private readonly Func<TimeSpan>? _jitter;

    public StorageGate(Func<TimeSpan>? jitter = null) => _jitter = jitter;

    /// <summary>Runs <paramref name="work"/> as <paramref name="actor"/>: its storage requests carry that name.</summary>
    public static Task<T> RunAs<T>(string actor, Func<Task<T>> work) => Task.Run(() =>
    {
        Actor.Value = actor;
        return work();
    });

    /// <summary>Holds <paramref name="actor"/>'s next request that <paramref name="match"/> accepts, before it is sent.</summary>
    public Pause PauseBefore(string actor, Func<StorageRequest, bool> match) => PauseBeforeRequest(actor, request => match(StorageRequest.Of(request)));

    /// <summary>Holds <paramref name="actor"/>'s next request that <paramref name="match"/> accepts (by its whole address), before it is sent.</summary>
    public Pause PauseBeforeRequest(string actor, Func<Request, bool> match)
    {
        var pause = new Pause(actor, match);
        lock (_lock)
        {
            _pauses.Add(pause);
        }

        return pause;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The writers under test are asynchronous.");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (_jitter is not null)
        {
            await Task.Delay(_jitter());
        }

        if (Actor.Value is { } actor)
        {
            var request = StorageRequest.Of(message.Request);
            Pause? pause;
            lock (_lock)
            {
                pause = _pauses.FirstOrDefault(p => p.Actor == actor && p.Match(message.Request));
                if (pause is not null)
                {
                    _pauses.Remove(pause);
                }
            }

            if (pause is not null)
            {
                await pause.HoldAsync(request);
            }
        }

        await ProcessNextAsync(message, pipeline);
    }

    /// <summary>One held request: <see cref="Reached"/> completes when the actor gets there; it waits for a release.</summary>
    public sealed class Pause(string actor, Func<Request, bool> match)
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

        private readonly TaskCompletionSource<StorageRequest> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal string Actor { get; } = actor;

        internal Func<Request, bool> Match { get; } = match;

        /// <summary>The held request, once the actor reached it (fails the test after 20 seconds: the schedule is wrong).</summary>
        public Task<StorageRequest> Reached => _reached.Task.WaitAsync(Patience);

        /// <summary>Lets the held request go.</summary>
        public void Release() => _released.TrySetResult(true);

        /// <summary>The held request is never sent: the writer dies there, as a process killed at that moment.</summary>
        public void Kill() => _released.TrySetResult(false);

        internal async Task HoldAsync(StorageRequest request)
        {
            _reached.TrySetResult(request);
            if (!await _released.Task)
            {
                throw new WriterKilledException($"{Actor} was killed before {request.Method} {request.Target}.");
            }
        }
    }
}

/// <summary>What a writer killed by <see cref="StorageGate.Pause.Kill"/> throws.</summary>
public sealed class WriterKilledException(string message) : Exception(message);
