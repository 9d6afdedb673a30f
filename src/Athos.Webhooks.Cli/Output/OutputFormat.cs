namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// How a command prints its data: an aligned table for people, or for programs one JSON document, JSON lines (one
/// object per line) or CSV (for Excel). Each command takes the formats that make sense for its data (<c>--format</c>).
/// </summary>
internal enum OutputFormat
{
    Table,
    Json,
    Jsonl,
    Csv,
}
