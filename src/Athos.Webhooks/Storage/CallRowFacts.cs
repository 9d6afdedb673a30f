namespace Athos.Webhooks.Storage;

/// <summary>
/// What the writers and <c>verify</c> derive from a <see cref="CallRow"/>. Extension members, so that the row type of the
/// consumer package carries its stored columns only, and the columns Table Storage writes stay exactly those.
/// </summary>
internal static class CallRowFacts
{
    extension(CallRow row)
    {
        /// <summary>
        /// Whether this is a tombstone: the row <c>forget</c> leaves at an erased call's key, holding no call data, which every
        /// writer meets before it stores the call again. Readers treat it as no call.
        /// </summary>
        public bool IsErased => row.Status == CallStatus.Erased;

        /// <summary>The time that orders the call in the index tables: <c>EndedAt</c>, or for a failure <c>FailedAt</c>.</summary>
        public DateTimeOffset? IndexTime => row.EndedAt ?? row.FailedAt;

        /// <summary>The rep a call is indexed under: the customer's own id, else Athos's.</summary>
        public string? RepId => row.ExternalUserId ?? row.AgentId;

        /// <summary>An index row: the same columns under other keys, without <c>ScoreJson</c>, the recording's state and the change's key and kind.</summary>
        public CallRow CloneWithKeys(string partitionKey, string rowKey, bool withScoreJson)
        {
            var clone = new CallRow { PartitionKey = partitionKey, RowKey = rowKey, ScoreJson = withScoreJson ? row.ScoreJson : null };
            IndexColumns.Copy(row, clone);
            return clone;
        }
    }
}
