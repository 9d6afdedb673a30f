namespace Athos.Simulator;

/// <summary>
/// Several webhook URLs taking deliveries in turn, as a load balancer in front of several instances would: each POST,
/// a retry included, goes to the next URL.
/// </summary>
public sealed class WebhookTargets
{
    private readonly Uri[] _urls;
    private int _sent = -1;

    public WebhookTargets(IEnumerable<Uri> urls)
    {
        _urls = [.. urls];
        if (_urls.Length == 0)
        {
            throw new ArgumentException("At least one webhook URL is needed.", nameof(urls));
        }
    }

    public IReadOnlyList<Uri> Urls => _urls;

    /// <summary>The URL whose turn it is.</summary>
    public Uri Next() => _urls[(int)((uint)Interlocked.Increment(ref _sent) % (uint)_urls.Length)];
}
