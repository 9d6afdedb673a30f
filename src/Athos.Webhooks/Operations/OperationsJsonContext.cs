using System.Text.Json;
using System.Text.Json.Serialization;
using Athos.Webhooks.Exports;

namespace Athos.Webhooks.Operations;

/// <summary>The reports the operator handlers return (docs/operations.md documents each): camelCase, absent values left out.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VerifyView))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(RedriveReport))]
[JsonSerializable(typeof(ForgetReport))]
[JsonSerializable(typeof(RestoreReport))]
[JsonSerializable(typeof(ConflictReport))]
[JsonSerializable(typeof(NamesReport))]
[JsonSerializable(typeof(AgencyImportReport))]
[JsonSerializable(typeof(ForgetAgentReport))]
[JsonSerializable(typeof(ReprojectReport))]
[JsonSerializable(typeof(BackfillReport))]
[JsonSerializable(typeof(BackfillRefusal))]
[JsonSerializable(typeof(ExportSummary))]
[JsonSerializable(typeof(LocalCopyResult))]
internal sealed partial class OperationsJsonContext : JsonSerializerContext;
