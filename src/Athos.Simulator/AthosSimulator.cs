using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Athos.Simulator;

/// <summary>
/// A running simulated Athos: the API over real HTTP on loopback, the tenant's calls, fault injection and webhook
/// delivery. Tests start one per test or class; the <c>simulate</c> command runs one standalone.
/// </summary>
public sealed class AthosSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AthosSimulator(WebApplication app, SimulatorOptions options, TimeProvider time)
    {
        _app = app;
        Options = options;
        Time = time;
        Generator = new CallGenerator(options.Seed) { FailureRate = options.FailureRate };
        Faults = app.Services.GetRequiredService<SimulatorFaults>();
        Calls = app.Services.GetRequiredService<CallStore>();
        Requests = app.Services.GetRequiredService<RequestLog>();
        Webhooks = new WebhookDispatcher(options, Faults, Generator, time);
        Calls.Changed += Webhooks.Enqueue;
    }

    public SimulatorOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>The base URL to give a client, like <c>https://app.useathos.ai/api/external/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public string ApiKey => Options.ApiKey;

    public string WebhookSecret => Options.WebhookSecret;

    public CallStore Calls { get; }

    public CallGenerator Generator { get; }

    public SimulatorFaults Faults { get; }

    public RequestLog Requests { get; }

    public WebhookDispatcher Webhooks { get; }

    /// <summary>Starts a simulator listening on <paramref name="url"/> (a free loopback port by default).</summary>
    public static async Task<AthosSimulator> StartAsync(SimulatorOptions? options = null, string url = "http://127.0.0.1:0", TimeProvider? time = null, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorOptions();
        time ??= TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(new SimulatorFaults(options.Seed));
        builder.Services.AddSingleton<CallStore>();
        builder.Services.AddSingleton<RequestLog>();
        builder.Services.AddSingleton<AthosApi>();
        // The embedding process owns signals and shutdown, not the simulator.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();

        var app = builder.Build();
        app.Services.GetRequiredService<AthosApi>().Map(app);
        var simulator = new AthosSimulator(app, options, time);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        simulator.BaseUrl = new Uri(address.TrimEnd('/') + AthosApi.BasePath);
        return simulator;
    }

    /// <summary>Generates <paramref name="count"/> calls that ended in [<paramref name="from"/>, <paramref name="to"/>] and adds them.</summary>
    public IReadOnlyList<SimulatedCall> AddCalls(int count, DateTimeOffset from, DateTimeOffset to)
    {
        var calls = Generator.Generate(count, from, to);
        Calls.AddRange(calls);
        return calls;
    }

    /// <summary>Gives a call a new score, a later <c>scoredAt</c> and <c>updatedAt</c>.</summary>
    public SimulatedCall Rescore(string callId, DateTimeOffset? scoredAt = null) =>
        Calls.Update(callId, call => Generator.Rescore(call, scoredAt ?? Time.GetUtcNow()));

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Calls.Changed -= Webhooks.Enqueue;
        await Webhooks.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
