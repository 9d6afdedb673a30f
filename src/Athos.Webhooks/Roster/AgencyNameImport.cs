using System.Text;
using Azure.Data.Tables;

namespace Athos.Webhooks.Roster;

/// <summary>
/// <c>athos-webhooks agencies import &lt;csv&gt;</c>: agency names the customer knows into <c>AthosAgencyNames</c>. The
/// header names the key, <c>agencyId,name</c> (Athos's ids) or <c>platformAgencyId,name</c> (the customer's own); each
/// line is one agency (RFC 4180 quoting). Importing again overwrites a name; an empty name deletes it.
/// </summary>
internal sealed class AgencyNameImport(TableServiceClient tables)
{
    /// <summary>The longest agency name taken: far above any real one, far below a table property's 64 KiB.</summary>
    public const int MaxNameLength = 1000;

    /// <summary>The import's outcome: which key the file used, names written and names deleted.</summary>
    internal sealed record Result(string Key, int Written, int Deleted);

    /// <summary>Checks the whole file first, then writes it.</summary>
    /// <exception cref="FormatException">The file is not the documented CSV (the message names the line).</exception>
    public async Task<Result> ImportAsync(TextReader csv, CancellationToken cancellationToken = default)
    {
        var lines = new List<string[]>();
        var number = 0;
        while (await csv.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (line.Length == 0 || (number == 1 && line.Trim('\uFEFF').Length == 0))
            {
                continue;
            }

            var cells = Split(line.TrimStart('\uFEFF'), number);
            if (cells.Length != 2)
            {
                throw new FormatException($"line {number}: expected 2 columns (id,name), found {cells.Length}.");
            }

            lines.Add([.. cells, number.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (lines.Count == 0 || lines[0] is not [var key, var nameHeader, _] || key is not (AgencyNameRow.ByAgencyId or AgencyNameRow.ByPlatformAgencyId) || nameHeader != "name")
        {
            throw new FormatException($"line 1: the header must be '{AgencyNameRow.ByAgencyId},name' or '{AgencyNameRow.ByPlatformAgencyId},name'.");
        }

        foreach (var (id, name, at) in lines.Skip(1).Select(l => (l[0], l[1], l[2])))
        {
            if (!AgentRow.IsUsableKey(id))
            {
                throw new FormatException($"line {at}: '{id}' is not a usable {key} (empty, longer than 256 characters, or holding / \\ # ? % or a control character).");
            }

            // Checked with the rest before anything is written: a name storage would refuse must not leave half an import.
            if (name.Trim().Length > MaxNameLength)
            {
                throw new FormatException($"line {at}: the name is longer than {MaxNameLength} characters.");
            }
        }

        var table = tables.GetTableClient(StorageNames.AgencyNamesTable);
        await table.CreateIfNotExistsAsync(cancellationToken);
        int written = 0, deleted = 0;
        foreach (var (id, name) in lines.Skip(1).Select(l => (l[0], l[1].Trim())))
        {
            if (name.Length == 0)
            {
                await table.DeleteEntityAsync(key, id, Azure.ETag.All, cancellationToken);
                deleted++;
            }
            else
            {
                await table.UpsertEntityAsync(new AgencyNameRow { PartitionKey = key, RowKey = id, Name = name }, TableUpdateMode.Replace, cancellationToken);
                written++;
            }
        }

        return new Result(key, written, deleted);
    }

    private static string[] Split(string line, int number)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException($"line {number}: a quoted cell is not closed.");
        }

        cells.Add(cell.ToString());
        return [.. cells];
    }
}
