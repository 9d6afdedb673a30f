using System.Text.Json;
using System.Text.Json.Serialization;
using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.WorkItems;

/// <summary>Reads a <see cref="CallId"/> only if it is valid, so a work item can never carry an unsafe id.</summary>
internal sealed class CallIdJsonConverter : JsonConverter<CallId>
{
    public override CallId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("callId must be a string.");
        }

        return CallId.TryParse(reader.GetString(), out var callId, out var error) ? callId : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, CallId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
