namespace Athos.Simulator;

/// <summary>The simulated tenant: its credentials, its seed and how it delivers webhooks.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The API key the simulator accepts as <c>Authorization: Bearer …</c>.</summary>
    public string ApiKey { get; set; } = "ath_live_simulator";

    /// <summary>Keys answered with <c>401 API_KEY_REVOKED</c> instead of <c>INVALID_API_KEY</c>.</summary>
    public IList<string> RevokedApiKeys { get; } = [];

    /// <summary>The webhook signing secret, <c>whsec_</c> prefix included (it is part of the HMAC key).</summary>
    public string WebhookSecret { get; set; } = "whsec_simulator0000000000000000000000";

    /// <summary>Seeds call generation, ids and fault decisions.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// Which Athos contract the tenant speaks. <see cref="AthosContract.Early"/> by default, the shape every existing
    /// test was written against. Call generation follows the value at <see cref="AthosSimulator.StartAsync"/>; the
    /// API and the webhooks follow the current value, so a test can move a running tenant to the later shape.
    /// </summary>
    public AthosContract Contract { get; set; } = AthosContract.Early;

    /// <summary>The share of generated calls whose scoring fails.</summary>
    public double FailureRate { get; set; } = 0.03;

    /// <summary>
    /// The share of generated calls that are <c>real_call</c> (from an agency's dialer) under
    /// <see cref="AthosContract.Current"/>. Ignored under <see cref="AthosContract.Early"/>, which has roleplay only.
    /// </summary>
    public double RealCallRate { get; set; } = 0.3;

    /// <summary>
    /// How long a detail's signed <c>audioUrl</c> stays valid (Athos: about an hour). The link is refused with 403
    /// once the simulator's clock passes <c>audioUrlExpiresAt</c>.
    /// </summary>
    public TimeSpan RecordingLinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Athos retries a failed delivery once, about five minutes later.</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many webhook POSTs are in flight at once; a burst of scored calls queues behind them.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 32;

    /// <summary>A delivery not answered within this time counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the retry carries a new <c>t</c>. Athos does not document it; with <see langword="false"/> the retry
    /// arrives with a timestamp about <see cref="WebhookRetryDelay"/> old.
    /// </summary>
    public bool RestampWebhookRetries { get; set; } = true;
}
