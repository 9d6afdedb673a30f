using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Roster;

/// <summary>
/// An agency's name as the customer supplied it (<c>athos-webhooks agencies import</c>): <c>PartitionKey</c> = which id
/// names the agency (<see cref="ByAgencyId"/> or <see cref="ByPlatformAgencyId"/>), <c>RowKey</c> = that id. Athos has
/// no read of agency names, so this table is their only source.
/// </summary>
internal sealed class AgencyNameRow : TableRow
{
    public const string ByAgencyId = "agencyId";
    public const string ByPlatformAgencyId = "platformAgencyId";

    public string? Name { get; set; }
}
