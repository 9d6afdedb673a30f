using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Webhooks;

namespace Athos.Webhooks.Cli.Commands;

/// <summary><c>send-test-webhook</c>: one correctly signed <c>call.scored</c> delivery, to check a deployment.</summary>
internal static class SendTestWebhookCommand
{
    /// <summary>The setting the secret is read from unless <c>--secret-stdin</c> is given.</summary>
    public const string SecretVariable = "ATHOS_WHSEC";

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The webhook URL, https://<app>.azurewebsites.net/api/athos/webhook.", Required = true };
        var secretStdin = new Option<bool>("--secret-stdin") { Description = "Read the signing secret (whsec_…) from standard input, one line, instead of the ATHOS_WHSEC environment variable." };
        // Kept only to refuse it with a reason: a secret on the command line lands in shell history and process lists.
        var secretArgument = new Option<string?>("--secret") { Description = "Not accepted: set ATHOS_WHSEC or use --secret-stdin.", Hidden = true };
        var callId = new Option<string>("--call-id") { Description = "The call id the event names (athos_call_…).", Required = true };
        var failed = new Option<bool>("--failed") { Description = "Send a success:false event (scoring failed) instead." };
        var command = new Command("send-test-webhook", "Send one correctly signed call.scored webhook and print the answer. The secret comes from ATHOS_WHSEC or standard input (--secret-stdin), never from an argument.") { url, secretStdin, secretArgument, callId, failed };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetResult(secretArgument) is not null)
            {
                await error.WriteLineAsync($"--secret is not accepted: a secret in an argument ends up in shell history and process lists. Set {SecretVariable}, or pipe the secret in with --secret-stdin.");
                return ExitCodes.Usage;
            }

            var secret = await ReadSecretAsync(parse.GetValue(secretStdin), Console.In, CliServices.Configuration());
            return await RunAsync(parse.InvocationConfiguration.Output, error, parse.GetValue(url)!, secret, parse.GetValue(callId)!, parse.GetValue(failed), CliServices.Time, ct);
        });
        return command;
    }

    /// <summary>The signing secret: the first line of <paramref name="stdin"/> with <c>--secret-stdin</c>, else <c>ATHOS_WHSEC</c>.</summary>
    public static async Task<string?> ReadSecretAsync(bool fromStdin, TextReader stdin, IConfiguration configuration)
    {
        var secret = fromStdin ? await stdin.ReadLineAsync() : configuration[SecretVariable];
        return string.IsNullOrWhiteSpace(secret) ? null : secret.Trim();
    }

    public static async Task<int> RunAsync(TextWriter output, TextWriter error, string urlText, string? secret, string callId, bool failed, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            await error.WriteLineAsync($"--url must be an absolute http(s) URL; got '{urlText}'.");
            return ExitCodes.Usage;
        }

        if (!CallId.TryParse(callId, out _, out var problem))
        {
            await error.WriteLineAsync($"--call-id: {problem}");
            return ExitCodes.Usage;
        }

        if (secret is null)
        {
            await error.WriteLineAsync($"No signing secret: set {SecretVariable} (whsec_…), or pipe it in with --secret-stdin.");
            return ExitCodes.Usage;
        }

        var now = time.GetUtcNow();
        var body = EventBody(callId, failed, now);
        var webhookId = "wh_test_" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(secret, now.ToUnixTimeSeconds(), body));
        request.Headers.TryAddWithoutValidation(AthosHttpEndpoints.WebhookIdHeader, webhookId);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            await output.WriteLineAsync($"POST {url} (webhook {webhookId}, call {callId}) → {(int)response.StatusCode} {answer}");
            return response.IsSuccessStatusCode ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"Could not reach {url}: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    private static byte[] EventBody(string callId, bool failed, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", WebhookEventTypes.CallScored);
            json.WriteBoolean("success", !failed);
            json.WriteString("callId", callId);
            json.WriteString("source", "roleplay");
            json.WriteString("externalUserId", "rep_test");
            json.WriteNull("externalAgencyId");
            json.WriteString("occurredAt", now);
            json.WriteString("requestId", "req_" + Guid.NewGuid().ToString("D"));
            if (failed)
            {
                json.WriteString("reason", "SCORING_INCOMPLETE");
                json.WriteString("reasonMessage", "A test delivery from athos-webhooks send-test-webhook.");
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
