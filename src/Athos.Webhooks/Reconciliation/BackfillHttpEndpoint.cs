using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Http;
using Athos.Webhooks.Storage;
using Microsoft.AspNetCore.Http;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// <c>POST /api/athos/backfill</c> (<c>{"from","to","sources"?}</c> → 202 with a job id) and
/// <c>GET /api/athos/backfill/{jobId}</c> (progress), shared by the Functions app and the local runner.
/// </summary>
internal static class BackfillHttpEndpoint
{
    public const string Path = "/api/athos/backfill";
    private const int MaxBodyBytes = 4096;

    public static async Task<JsonHttpResult> StartAsync(HttpRequest request, Backfiller backfiller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(backfiller);
        var body = await Webhooks.BoundedBody.ReadAsync(request.Body, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Error(413, "payload_too_large", $"The body is over {MaxBodyBytes} bytes.");
        }

        if (!TryReadRequest(body, out var from, out var to, out var sources, out var rejection))
        {
            return rejection;
        }

        try
        {
            var job = await backfiller.StartAsync(from, to, sources, cancellationToken);
            return new JsonHttpResult<BackfillJobBody>(202, BackfillJobBody.Of(job), BackfillJsonContext.Default.BackfillJobBody);
        }
        catch (BackfillRangeException ex)
        {
            return Error(400, "invalid_range", ex.Message, ex.Field);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            return Error(503, "storage_unavailable", "The job could not be stored; nothing was started. Retry later.");
        }
    }

    public static async Task<JsonHttpResult> GetAsync(string jobId, Backfiller backfiller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backfiller);
        if (string.IsNullOrEmpty(jobId) || jobId.Length > 64 || !jobId.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            return Error(400, "invalid_job_id", "A job id is letters, digits and '_', as returned when the job started.", "jobId");
        }

        var job = await backfiller.GetAsync(jobId, cancellationToken);
        return job is null
            ? Error(404, "job_not_found", $"There is no backfill job {jobId}.", "jobId")
            : new JsonHttpResult<BackfillJobBody>(200, BackfillJobBody.Of(job), BackfillJsonContext.Default.BackfillJobBody);
    }

    private static bool TryReadRequest(byte[] body, out DateTimeOffset from, out DateTimeOffset to, out List<string>? sources, out JsonHttpResult rejection)
    {
        from = to = default;
        sources = null;
        rejection = null!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            rejection = Error(400, "invalid_json", $"The body must be a JSON object with 'from' and 'to' (ISO 8601 date-times): {ex.Message}");
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                rejection = Error(400, "not_an_object", "The body must be a JSON object with 'from' and 'to'.");
                return false;
            }

            return TryReadTime(document.RootElement, "from", out from, out rejection)
                && TryReadTime(document.RootElement, "to", out to, out rejection)
                && TryReadSources(document.RootElement, out sources, out rejection);
        }
    }

    // Optional: the sources to list (default ATHOS_SOURCES).
    private static bool TryReadSources(JsonElement root, out List<string>? sources, out JsonHttpResult rejection)
    {
        sources = null;
        rejection = null!;
        if (!root.TryGetProperty("sources", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String || !CallSources.IsKnown(s.GetString())))
        {
            rejection = Error(400, "invalid_field", $"'sources' must be an array of Athos call sources: {string.Join(", ", CallSources.All)}.", "sources");
            return false;
        }

        sources = [.. value.EnumerateArray().Select(s => s.GetString()!)];
        return true;
    }

    private static bool TryReadTime(JsonElement root, string name, out DateTimeOffset time, out JsonHttpResult rejection)
    {
        time = default;
        rejection = null!;
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            rejection = Error(400, "missing_field", $"'{name}' is required (an ISO 8601 date-time).", name);
            return false;
        }

        if (value.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
        {
            rejection = Error(400, "invalid_field", $"'{name}' must be an ISO 8601 date-time such as 2026-01-01T00:00:00Z.", name);
            return false;
        }

        return true;
    }

    private static JsonHttpResult<ErrorBody> Error(int status, string code, string message, string? field = null) =>
        ErrorBody.Result(status, code, message, field);
}

/// <summary>A backfill job's progress as the HTTP endpoint shows it (an error answers with <see cref="ErrorBody"/>).</summary>
internal sealed record BackfillJobBody
{
    public string? JobId { get; init; }

    /// <summary><c>backfill</c>, or <c>rescan</c> for the trailing rescan.</summary>
    public string? Kind { get; init; }

    public string? Status { get; init; }

    /// <summary>The sources the job lists, in order.</summary>
    public IReadOnlyList<string>? Sources { get; init; }

    /// <summary>The contract the listed rows showed (<c>early</c>, <c>current</c>).</summary>
    public string? Contract { get; init; }

    /// <summary>Sources not listed and why (real calls on an early-contract tenant).</summary>
    public string? SkippedSources { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int? PagesDone { get; init; }

    public int? Listed { get; init; }

    public int? Missing { get; init; }

    public int? Stale { get; init; }

    public int? Recordings { get; init; }

    public int? Pending { get; init; }

    public int? SkippedIds { get; init; }

    public int? Queued { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? LastError { get; init; }

    public static BackfillJobBody Of(BackfillJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new BackfillJobBody
        {
            JobId = job.JobId,
            Kind = job.Kind,
            Status = job.Status,
            Sources = job.SourceList(),
            Contract = job.Contract,
            SkippedSources = job.SkippedSources,
            From = job.From,
            To = job.To,
            PagesDone = job.PagesDone,
            Listed = job.Listed,
            Missing = job.Missing,
            Stale = job.Stale,
            Recordings = job.Recordings,
            Pending = job.Pending,
            SkippedIds = job.SkippedIds,
            Queued = job.Queued,
            CreatedAt = job.CreatedAt,
            CompletedAt = job.CompletedAt,
            LastError = job.LastError,
        };
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BackfillJobBody))]
internal sealed partial class BackfillJsonContext : JsonSerializerContext;
