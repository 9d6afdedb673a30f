using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Hosting;

public static partial class AthosWebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Registers a host's own settings class (the runner's) exactly as the core registers its own: bound by
    /// <paramref name="bind"/>, checked at start-up by <typeparamref name="TValidator"/>, a value the binder cannot
    /// convert reported like a value out of range, naming the setting.
    /// </summary>
    /// <param name="bind">Binds at the call site, where the configuration binding generator sees the concrete type.</param>
    public static OptionsBuilder<TOptions> AddSettings<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, Action<IConfiguration, TOptions> bind)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
        => SettingsRegistration.AddSettings<TOptions, TValidator>(services, configuration, bind);
}
