using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Settings;

// The one way a settings class is registered: bound, validated when the host starts, every failure reported alike.
internal static class SettingsRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/>, bound by <paramref name="bind"/> and checked at start-up by
    /// <typeparamref name="TValidator"/> (the source-generated validator of its attributes). A value the binder cannot
    /// convert (a duration that reads "soon") fails the same way as a value out of range: an
    /// <see cref="OptionsValidationException"/> whose message names the setting.
    /// </summary>
    /// <param name="bind">Binds at the call site, where the configuration binding generator sees the concrete type.</param>
    public static OptionsBuilder<TOptions> AddSettings<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, Action<IConfiguration, TOptions> bind)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(bind);
        return services.AddOptionsWithValidateOnStart<TOptions, TValidator>().Configure(options =>
        {
            try
            {
                bind(configuration, options);
            }
            catch (InvalidOperationException ex)
            {
                // The binder's message names the setting and the type it wanted.
                throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), [ex.Message]);
            }
        });
    }
}
