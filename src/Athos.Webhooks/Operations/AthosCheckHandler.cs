using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.Operations;

/// <summary><c>doctor</c>'s Athos check: whether Athos accepts the configured key.</summary>
public interface IAthosCheckHandler
{
    /// <summary>
    /// One page of the last 30 days' roleplay calls with the configured key: passed, with the contract Athos speaks; or
    /// not, with what to fix, named by setting.
    /// </summary>
    Task<(bool Passed, string Message)> CheckAthosAsync(CancellationToken cancellationToken);
}

/// <inheritdoc cref="IAthosCheckHandler"/>
internal sealed class AthosCheckHandler(AthosClient athos, IOptions<AthosApiOptions> options, TimeProvider time) : IAthosCheckHandler
{
    public async Task<(bool Passed, string Message)> CheckAthosAsync(CancellationToken cancellationToken)
    {
        var baseUrl = options.Value.BaseUrl;
        try
        {
            var probed = await athos.ProbeContractAsync(time.GetUtcNow().AddDays(-30), cancellationToken: cancellationToken);
            var contract = probed is { } known ? $"Athos's {known.ToStorageName()} contract" : "no roleplay call in the last 30 days to tell Athos's contract";
            return (true, $"Athos accepted {AthosApiOptions.ApiKeySetting} at {baseUrl} ({contract})");
        }
        catch (AthosApiException ex)
        {
            return (false, ex.Kind switch
            {
                AthosErrorKind.Configuration when ex.Status is 401 => $"Athos refused {AthosApiOptions.ApiKeySetting} ({ex.Status} {ex.ErrorCode}, request {ex.RequestId}): set it to a valid key (ath_live_…)",
                AthosErrorKind.Configuration when ex.ErrorCode is null => $"{AthosApiOptions.BaseUrlSetting} ({baseUrl}) does not look like the Athos API ({ex.Status} without Athos's error body): check the URL",
                AthosErrorKind.Configuration => $"Athos refused the request ({ex.Status} {ex.ErrorCode}, request {ex.RequestId}): ask Athos about the tenant or IP allow-list",
                AthosErrorKind.Transient => $"Athos at {baseUrl} did not answer ({ex.Message}): check {AthosApiOptions.BaseUrlSetting} and the network",
                _ => $"Athos answered {ex.Status} {ex.ErrorCode} (request {ex.RequestId}): {ex.Message}",
            });
        }
    }
}
