using Athos.Webhooks.Hosting;
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

            // The local runner's default when only the batch size is given (the Functions host also multiplies it by its processor count).
            if (queues["newBatchThreshold"] is null)
            {
                options.NewBatchThreshold = options.BatchSize / 2;
            }
        });
        services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<QueueOptions>>().Value);
        return services;
    }

    // The binder's own message names the key ('extensions:queues:batchSize') and the type it wanted.
    private static InvalidOperationException NotValid(string path, string reason) => new($"{path} is not valid host.json: {reason}");
}
