using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.Cli.Output;

/// <summary>The JSON the call commands print (<see cref="JsonOutput"/>): camelCase, absent values left out, as the other commands' JSON.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<CallView>))]
[JsonSerializable(typeof(CallView))]
internal sealed partial class CallJsonContext : JsonSerializerContext;
