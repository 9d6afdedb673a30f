using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.AthosApi;

/// <summary>Source-generated JSON for Athos's API bodies (camelCase, as Athos sends them).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CallPage))]
[JsonSerializable(typeof(CallDetail))]
[JsonSerializable(typeof(AgentPage))]
[JsonSerializable(typeof(AthosErrorEnvelope))]
internal sealed partial class AthosJsonContext : JsonSerializerContext;
