using Athos.Simulator;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Webhooks;

/// <summary>
/// The ACK path under a caller that hangs up and a storage identity that fails, through the real function class:
/// an authenticated delivery is queued whether or not Athos is still listening, and a credential failure is a 503
/// that Athos retries, never a 500.
/// </summary>
public sealed class WebhookAckDurabilityTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Secret = "whsec_durable0000000000000000000000000";
    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 23, WebhookSecret = Secret });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task An_authenticated_delivery_is_queued_and_logged_even_when_the_caller_hangs_up_right_after_sending_it()
    {
        await using var app = await TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_WHSEC", Secret)]);
        var body = WebhookRequests.CallScored("athos_call_hangup1");
        var request = WebhookRequests.Build(body, WebhookSigner.Header(Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body), "wh_hangup1");
        using var disconnected = new CancellationTokenSource();
        // The connection drops the moment the last byte of the body has been read: what follows is authenticated work.
        request.Body = new HangUpAtEndStream(body, disconnected);

        var answer = await RunAsync(app, request, disconnected.Token);

        Assert.True(disconnected.IsCancellationRequested, "the caller hung up before storage was reached");
        Assert.Equal(202, answer.Status);
        var item = Assert.IsType<FetchCallWorkItem>(Assert.Single(await new TestQueues(storage.ConnectionString).PeekAllAsync()));
        Assert.Equal(new { CallId = "athos_call_hangup1", WebhookId = (string?)"wh_hangup1" }, new { CallId = item.CallId.Value, item.WebhookId });
        var accepted = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.WebhookAccepted);
        Assert.Equal("wh_hangup1", accepted.GetStructuredStateValue("WebhookId"));
    }

    [Fact]
    public async Task A_caller_that_hangs_up_before_its_body_is_read_gets_nothing_queued()
    {
        await using var app = await TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_WHSEC", Secret)]);
        var body = WebhookRequests.CallScored("athos_call_hangup2");
        var request = WebhookRequests.Build(body, WebhookSigner.Header(Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body), "wh_hangup2");
        using var disconnected = new CancellationTokenSource();
        await disconnected.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(app, request, disconnected.Token));

        Assert.Equal(0, await new TestQueues(storage.ConnectionString).CountAsync());
    }

    public static TheoryData<string> CredentialFailures => new() { nameof(AuthenticationFailedException), nameof(CredentialUnavailableException) };

    [Theory]
    [MemberData(nameof(CredentialFailures))]
    public async Task A_storage_identity_that_fails_to_authenticate_answers_503_with_Retry_After(string failure)
    {
        Exception error = failure == nameof(CredentialUnavailableException)
            ? new CredentialUnavailableException("ManagedIdentityCredential authentication unavailable. No managed identity endpoint found.")
            : new AuthenticationFailedException("ManagedIdentityCredential authentication failed: the identity is not assigned to this app.");
        // Identity-based settings as the deployment writes them; the identity is the one thing that fails.
        await using var app = await TestApp.StartAsync(
            _simulator,
            null,
            [
                ("ATHOS_WHSEC", Secret),
                ("AzureWebJobsStorage", null),
                ("AzureWebJobsStorage:blobServiceUri", "https://127.0.0.1:9/devstoreaccount1"),
                ("AzureWebJobsStorage:queueServiceUri", "https://127.0.0.1:9/devstoreaccount1"),
                ("AzureWebJobsStorage:tableServiceUri", "https://127.0.0.1:9/devstoreaccount1"),
                ("AzureWebJobsStorage:credential", "managedidentity"),
            ],
            services => services.AddSingleton<AzureComponentFactory>(new FailingIdentity(error)));
        var body = WebhookRequests.CallScored("athos_call_identity1");
        var request = WebhookRequests.Build(body, WebhookSigner.Header(Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body), "wh_identity1");

        var answer = await RunAsync(app, request, TestContext.Current.CancellationToken);

        Assert.Equal(new { Status = 503, ErrorCode = (string?)"storage_unavailable", RetryAfter = "300" }, new { answer.Status, answer.ErrorCode, answer.RetryAfter });
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.WebhookStorageUnavailable);
    }

    private static async Task<WebhookRequests.Answer> RunAsync(TestApp app, Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken cancellationToken)
    {
        var result = await new AthosWebhookFunction(app.Get<IAthosHttpHandlers>()).RunAsync(request, cancellationToken);
        return await WebhookRequests.ExecuteAsync(result, request);
    }

    /// <summary>A request body after whose last byte the client disconnects (the request's token is cancelled).</summary>
    private sealed class HangUpAtEndStream(byte[] body, CancellationTokenSource disconnect) : MemoryStream(body)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                await disconnect.CancelAsync();
            }

            return read;
        }
    }

    /// <summary>The storage identity the settings name, failing as an unassigned or unreachable managed identity does.</summary>
    private sealed class FailingIdentity(Exception failure) : AzureComponentFactory
    {
        public override TokenCredential CreateTokenCredential(IConfiguration configuration) => new Failing(failure);

        public override object CreateClientOptions(Type optionsType, object? serviceVersion, IConfiguration configuration) =>
            throw new NotSupportedException();

        public override object CreateClient(Type clientType, IConfiguration configuration, TokenCredential credential, object clientOptions) =>
            throw new NotSupportedException();

        private sealed class Failing(Exception failure) : TokenCredential
        {
            public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw failure;

            public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw failure;
        }
    }
}
