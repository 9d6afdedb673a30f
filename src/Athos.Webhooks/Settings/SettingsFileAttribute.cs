namespace Athos.Webhooks.Settings;

/// <summary>
/// Settings read from a block of a file rather than from the app settings (host.json's queue block): their messages
/// name each one as the operator finds it, e.g. <c>host.json extensions.queues.maxDequeueCount</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SettingsFileAttribute(string block) : Attribute
{
    /// <summary>The file and the block, e.g. <c>host.json extensions.queues</c>.</summary>
    public string Block { get; } = block;
}
