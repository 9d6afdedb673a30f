using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.WorkItems;

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    Converters = [typeof(CallIdJsonConverter)])]
[JsonSerializable(typeof(WorkItem))]
internal sealed partial class WorkItemJsonContext : JsonSerializerContext;
