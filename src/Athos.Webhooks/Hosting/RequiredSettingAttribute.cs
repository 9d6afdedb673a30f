namespace Athos.Webhooks.Hosting;

/// <summary>
/// Marks an options property whose setting every deployment must provide. The infrastructure test reads these to
/// check that infra/ sets each one, so the list lives here, beside the settings, and nowhere else.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class RequiredSettingAttribute : Attribute;
