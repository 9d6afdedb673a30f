using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Athos.Simulator;

/// <summary>
/// A running simulated Athos: the API over real HTTP on loopback (in the shape of <see cref="SimulatorOptions.Contract"/>),
/// its recording host, the tenant's calls, fault injection and webhook delivery. Tests start one per test or class; the <c>simulate</c> command runs one standalone.
/// </summary>
public sealed class AthosSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AthosSimulator(WebApplication app, SimulatorOptions options, TimeProvider time)
    {
        _app = app;
        Options = options;
        Time = time;
        Generator = app.Services.GetRequiredService<CallGenerator>();
        Faults = app.Services.GetRequiredService<SimulatorFaults>();
        Calls = app.Services.GetRequiredService<CallStore>();
        Requests = app.Services.GetRequiredService<RequestLog>();
        Roster = app.Services.GetRequiredService<AgentRoster>();
        Webhooks = new WebhookDispatcher(options, Faults, Generator, time);
        Calls.Changed += Webhooks.Enqueue;
    }

    public SimulatorOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>
    /// The base URL to give a client, like <c>https://app.useathos.ai/api/external/v1</c>. Recording links are served
    /// by the same listener under <c>/recordings/</c>, outside it.
    /// </summary>
    public Uri BaseUrl { get; private set; } = null!;

    public string ApiKey => Options.ApiKey;

    public string WebhookSecret => Options.WebhookSecret;

    public CallStore Calls { get; }

    public CallGenerator Generator { get; }

    public SimulatorFaults Faults { get; }

    public RequestLog Requests { get; }

    /// <summary>The tenant's roster (<c>GET /agents</c>, current contract only): the reps the generated calls name.</summary>
    public AgentRoster Roster { get; }

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
        builder.Services.AddSingleton(new CallGenerator(options.Seed)
        {
            FailureRate = options.FailureRate,
            Contract = options.Contract,
            RealCallRate = options.RealCallRate,
        });
        builder.Services.AddSingleton<AgentRoster>();
        builder.Services.AddSingleton<RecordingLinks>();
        builder.Services.AddSingleton<AthosApi>();
        builder.Services.AddSingleton<RecordingEndpoint>();
        // The embedding process owns signals and shutdown, not the simulator.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();

        var app = builder.Build();
        app.Services.GetRequiredService<AthosApi>().Map(app);
        app.Services.GetRequiredService<RecordingEndpoint>().Map(app);
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

    /// <summary>Gives a call a new score, a later <c>scoredAt</c> and <c>updatedAt</c>, and delivers its webhook.</summary>
    public SimulatedCall Rescore(string callId, DateTimeOffset? scoredAt = null) =>
        Calls.Update(callId, call => Generator.Rescore(call, scoredAt ?? Time.GetUtcNow()));

    /// <summary>
    /// Re-dispositions a scored real call, as an agency's dialer does after the fact (a sale becomes a callback): a
    /// different score, possibly a changed or removed compliance scorecard, a later <c>scoredAt</c> and
    /// <c>updatedAt</c>, and <b>no webhook</b>. Only re-reading the call shows it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call is not a scored real call.</exception>
    /// <exception cref="KeyNotFoundException">The simulator has no such call.</exception>
    public SimulatedCall Redisposition(string callId, DateTimeOffset? scoredAt = null) =>
        Calls.Update(callId, call => Generator.Redisposition(call, scoredAt ?? Time.GetUtcNow()), notify: false);

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
