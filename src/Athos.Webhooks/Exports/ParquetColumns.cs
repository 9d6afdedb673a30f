using Parquet;
using Parquet.Schema;

namespace Athos.Webhooks.Exports;

/// <summary>
/// A dataset's columns, each a Parquet field and how a row gives its value, written a row group at a time with Parquet.Net's
/// low-level writer: the schema is declared here, column by column, where its types (UTC <c>TIMESTAMP</c>, doubles,
/// nullability) are visible, and no reflection is involved.
/// </summary>
internal sealed class ParquetColumns<T>
{
    private readonly List<(DataField Field, Func<ParquetRowGroupWriter, IReadOnlyList<T>, CancellationToken, Task> Write)> _columns = [];
    private readonly Lazy<ParquetSchema> _schema;

    public ParquetColumns() => _schema = new(() => new ParquetSchema(_columns.Select(c => (Field)c.Field)), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The schema, made once: a field joins one schema only (Parquet.Net gives it its path and levels then), and a
    /// rebuild writes several dates at once, so two schemas made at once over the same fields would write broken footers.
    /// </summary>
    public ParquetSchema Schema => _schema.Value;

    public ParquetColumns<T> Text(string name, Func<T, string?> value, bool nullable = true)
    {
        var field = new DataField<string>(name, nullable);
        return Add(field, (group, rows, _) => group.WriteAsync(field, rows.Select(value).ToArray()));
    }

    /// <summary>A UTC <c>TIMESTAMP</c> (INT64 microseconds, <c>isAdjustedToUTC</c>): what every engine reads as a point in time.</summary>
    public ParquetColumns<T> Time(string name, Func<T, DateTimeOffset?> value)
    {
        var field = new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true);
        return Add(field, (group, rows, ct) => group.WriteAsync<DateTime>(field, rows.Select(r => value(r)?.UtcDateTime).ToArray(), cancellationToken: ct));
    }

    /// <summary>A UTC <c>TIMESTAMP</c> as <see cref="Time"/>, never null.</summary>
    public ParquetColumns<T> RequiredTime(string name, Func<T, DateTimeOffset> value)
    {
        var field = new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
        return Add(field, (group, rows, ct) => group.WriteAsync<DateTime>(field, rows.Select(r => value(r).UtcDateTime).ToArray(), cancellationToken: ct));
    }

    public ParquetColumns<T> Number(string name, Func<T, double?> value)
    {
        var field = new DataField<double?>(name);
        return Add(field, (group, rows, ct) => group.WriteAsync<double>(field, rows.Select(value).ToArray(), cancellationToken: ct));
    }

    public ParquetColumns<T> RequiredNumber(string name, Func<T, double> value)
    {
        var field = new DataField<double>(name);
        return Add(field, (group, rows, ct) => group.WriteAsync<double>(field, rows.Select(value).ToArray(), cancellationToken: ct));
    }

    public ParquetColumns<T> Integer(string name, Func<T, int?> value)
    {
        var field = new DataField<int?>(name);
        return Add(field, (group, rows, ct) => group.WriteAsync<int>(field, rows.Select(value).ToArray(), cancellationToken: ct));
    }

    public ParquetColumns<T> RequiredInteger(string name, Func<T, int> value)
    {
        var field = new DataField<int>(name);
        return Add(field, (group, rows, ct) => group.WriteAsync<int>(field, rows.Select(value).ToArray(), cancellationToken: ct));
    }

    /// <summary>Writes <paramref name="rows"/> as one row group of <paramref name="writer"/>.</summary>
    public async Task WriteRowGroupAsync(ParquetWriter writer, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        foreach (var (_, write) in _columns)
        {
            await write(group, rows, cancellationToken);
        }

        group.CompleteValidate();
    }

    private ParquetColumns<T> Add(DataField field, Func<ParquetRowGroupWriter, IReadOnlyList<T>, CancellationToken, Task> write)
    {
        _columns.Add((field, write));
        return this;
    }
}
