using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// host.json's queue block as a setting like every other: bound to <see cref="QueueOptions"/> from a configuration of
/// host.json alone (never the host's own configuration, where its <c>logging</c> block would become log settings) and
/// checked when the host starts, each failure naming the setting as host.json writes it.
/// </summary>
internal static class HostJson
{
    /// <summary>How failures name the block (<see cref="SettingsFileAttribute"/>).</summary>
    public const string QueuesBlock = "host.json extensions.queues";

    private const string QueuesSection = "extensions:queues";

    /// <summary>The root setting that bounds one function invocation.</summary>
    public const string FunctionTimeoutKey = "functionTimeout";

    /// <summary>The Flex Consumption plan's default <c>functionTimeout</c>.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The shortest <c>functionTimeout</c> accepted: a recording's copy must fit a block and its commit in one attempt.</summary>
    public static readonly TimeSpan MinFunctionTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The longest accepted: a day, far beyond any plan's useful timeout and within what a timer can wait.</summary>
    public static readonly TimeSpan MaxFunctionTimeout = TimeSpan.FromDays(1);

    /// <summary>host.json beside the app: what the Functions host reads, and what the runner's build copies.</summary>
    public static string BesideTheApp => Path.Combine(AppContext.BaseDirectory, "host.json");

    /// <summary>
    /// Registers <see cref="QueueOptions"/> (as options, and as itself for its consumers) from <paramref name="path"/>: a
    /// missing file gives the Functions host's defaults, a malformed one a failure naming the file.
    /// </summary>
    public static IServiceCollection AddHostJsonQueueSettings(this IServiceCollection services, string path)
    {
        Exception? unreadable = null;
        var hostJson = new ConfigurationBuilder().AddJsonFile(source =>
        {
            source.Path = path;
            source.Optional = true;
            source.ResolveFileProvider();
            // Kept for start-up to report as a bad setting, rather than thrown from the composition root.
            source.OnLoadException = failure =>
            {
                unreadable = failure.Exception;
                failure.Ignore = true;
            };
        }).Build();

        services.AddSettings<QueueOptions, QueueOptionsValidator>(hostJson, (settings, options) =>
        {
            if (unreadable is not null)
            {
                throw NotValid(path, unreadable.GetBaseException().Message);
            }

            var queues = settings.GetSection(QueuesSection);
            try
            {
                queues.Bind(options);
            }
            catch (InvalidOperationException ex)
            {
                throw NotValid(path, ex.Message);
            }

            options.FunctionTimeout = FunctionTimeoutOf(settings[FunctionTimeoutKey], path);

            // The local runner's default when only the batch size is given (the Functions host also multiplies it by its processor count).
            if (queues["newBatchThreshold"] is null)
            {
                options.NewBatchThreshold = options.BatchSize / 2;
            }
        });
        services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<QueueOptions>>().Value);
        return services;
    }

    /// <summary>
    /// <c>functionTimeout</c> as the Functions host reads it (<c>hh:mm:ss</c>); <c>-1</c> (unbounded, on plans that allow
    /// it) is refused: a recording's copy sizes its attempts to the timeout, so it must be finite.
    /// </summary>
    private static TimeSpan FunctionTimeoutOf(string? text, string path)
    {
        if (text is null)
        {
            return DefaultFunctionTimeout;
        }

        // hh:mm:ss as the host writes it: a bare number would parse as days.
        if (!text.Contains(':', StringComparison.Ordinal) || !TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var timeout)
            || timeout < MinFunctionTimeout || timeout > MaxFunctionTimeout)
        {
            throw NotValid(path, $"'{FunctionTimeoutKey}' is '{text}'; it must be a duration between {MinFunctionTimeout:c} and {MaxFunctionTimeout:c}, such as 00:10:00 (an unbounded -1 is not supported: work is sized to the timeout).");
        }

        return timeout;
    }

    // The binder's own message names the key ('extensions:queues:batchSize') and the type it wanted.
    private static InvalidOperationException NotValid(string path, string reason) => new($"{path} is not valid host.json: {reason}");
}
