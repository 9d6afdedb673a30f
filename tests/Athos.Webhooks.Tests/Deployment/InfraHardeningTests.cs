using System.Text.Json;

namespace Athos.Webhooks.Tests.Deployment;

/// <summary>
/// What infra/ deploys, evaluated offline (<c>bicep snapshot</c>) with the default parameters and with every option
/// on: diagnostic settings, soft delete and versioning, redundancy, consumer roles, network restriction, the
/// workspace's daily cap, retention and tiering, and the settings the Functions host resolves itself.
/// </summary>
public sealed partial class InfraHardeningTests
{
    private const string Consumer = "11111111-2222-3333-4444-555555555555";
    private const string AgentReader = "66666666-7777-8888-9999-000000000000";
    private const string Analyst = "77777777-8888-9999-0000-111111111111";
    private const string Subnet = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app";
    private const string StorageTableDataReader = "76199698-9eea-4c19-bc75-cec21354c6b6";
    private const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";

    private static readonly Lazy<Task<BicepSnapshot>> Defaults = new(() => BicepSnapshot.CreateAsync());

    private static readonly Lazy<Task<BicepSnapshot>> EverythingOn = new(() => BicepSnapshot.CreateAsync(
        ("consumerPrincipalIds", $"['{Consumer}']"),
        ("agentReaderPrincipalIds", $"['{AgentReader}']"),
        ("exportReaderPrincipalIds", $"['{Analyst}']"),
        ("exportVersionRetentionDays", "10"),
        ("storageRedundancy", "'Standard_GZRS'"),
        ("blobSoftDeleteRetentionDays", "30"),
        ("enableBlobVersioning", "true"),
        ("archiveRetentionDays", "730"),
        ("recordingsRetentionDays", "365"),
        ("recordingsCoolAfterDays", "45"),
        ("restrictNetworkAccess", "true"),
        ("appSubnetId", $"'{Subnet}'"),
        ("allowedIpRanges", "['203.0.113.0/24', '198.51.100.7']"),
        ("logAnalyticsDailyCapGb", "5"),
        ("archiveRecordings", "false"),
        ("reconcileRescanSchedule", "'0 0 4 * * *'"),
        ("webhookRequiresFunctionKey", "true"),
        ("alwaysReadyHttpInstances", "2")));

    private static readonly Lazy<Task<BicepSnapshot>> NothingExpires = new(() => BicepSnapshot.CreateAsync(
        ("blobSoftDeleteRetentionDays", "0"),
        ("recordingsCoolAfterDays", "0"),
        ("exportVersionRetentionDays", "0")));

    [Fact]
    public async Task Key_Vault_storage_services_and_the_app_send_their_logs_to_the_workspace()
    {
        var snapshot = await Defaults.Value;
        var workspace = BicepSnapshot.Id(snapshot.Single("Microsoft.OperationalInsights/workspaces"));
        var settings = snapshot.All("Microsoft.Insights/diagnosticSettings").ToDictionary(s => Scope(BicepSnapshot.Id(s), "/providers/Microsoft.Insights/diagnosticSettings/"), s => s.GetProperty("properties"));

        Assert.All(settings.Values, s => Assert.Equal(workspace, s.GetProperty("workspaceId").GetString()));
        Assert.Equal(5, settings.Count);
        Assert.Equal(["categoryGroup:audit"], Logs(Scoped(settings, "/Microsoft.KeyVault/vaults/")));
        Assert.Equal(["StorageDelete", "StorageRead", "StorageWrite"], Logs(Scoped(settings, "/blobServices/default")).Order());
        Assert.Equal(["StorageDelete", "StorageRead", "StorageWrite"], Logs(Scoped(settings, "/tableServices/default")).Order());
        Assert.Equal(["StorageDelete", "StorageWrite"], Logs(Scoped(settings, "/queueServices/default")).Order());
        Assert.Equal(["FunctionAppLogs"], Logs(Scoped(settings, "/Microsoft.Web/sites/")));
    }

    [Fact]
    public async Task Blob_soft_delete_is_on_by_default_and_versioning_is_an_option_that_is_off_by_default()
    {
        var defaults = (await Defaults.Value).Properties("Microsoft.Storage/storageAccounts/blobServices");
        var on = (await EverythingOn.Value).Properties("Microsoft.Storage/storageAccounts/blobServices");
        var off = (await NothingExpires.Value).Properties("Microsoft.Storage/storageAccounts/blobServices");

        Assert.Equal(new { Enabled = true, Days = 7 }, new { Enabled = defaults.GetProperty("deleteRetentionPolicy").GetProperty("enabled").GetBoolean(), Days = defaults.GetProperty("deleteRetentionPolicy").GetProperty("days").GetInt32() });
        Assert.True(defaults.GetProperty("containerDeleteRetentionPolicy").GetProperty("enabled").GetBoolean());
        Assert.False(defaults.GetProperty("isVersioningEnabled").GetBoolean());
        Assert.Equal(30, on.GetProperty("deleteRetentionPolicy").GetProperty("days").GetInt32());
        Assert.True(on.GetProperty("isVersioningEnabled").GetBoolean());
        Assert.False(off.GetProperty("deleteRetentionPolicy").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Storage_redundancy_is_a_parameter_of_LRS_ZRS_or_GZRS_defaulting_to_ZRS()
    {
        var template = await BicepCli.BuildAsync(BicepCli.MainTemplate);
        var parameter = template.GetProperty("parameters").GetProperty("storageRedundancy");

        Assert.Equal(["Standard_GZRS", "Standard_LRS", "Standard_ZRS"], parameter.GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()).Order());
        Assert.Equal("Standard_ZRS", (await Defaults.Value).Single("Microsoft.Storage/storageAccounts").GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("Standard_GZRS", (await EverythingOn.Value).Single("Microsoft.Storage/storageAccounts").GetProperty("sku").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Export_readers_read_the_athos_exports_container_and_nothing_else()
    {
        var grants = (await EverythingOn.Value).All("Microsoft.Authorization/roleAssignments")
            .Where(a => a.GetProperty("properties").GetProperty("principalId").GetString() == Analyst)
            .Select(a => (Scope: Scope(BicepSnapshot.Id(a), "/providers/Microsoft.Authorization/roleAssignments/"), Role: a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Split('/')[^1]))
            .ToList();

        var grant = Assert.Single(grants);
        Assert.Equal(StorageBlobDataReader, grant.Role);
        Assert.Equal(StorageNames.ExportsContainer, After(grant.Scope, "/blobServices/default/containers/"));
        // A consumer of the tables is not an export reader, and nobody is one by default.
        Assert.DoesNotContain((await EverythingOn.Value).All("Microsoft.Authorization/roleAssignments"), a => a.GetProperty("properties").GetProperty("principalId").GetString() == Consumer && BicepSnapshot.Id(a).Contains(StorageNames.ExportsContainer, StringComparison.Ordinal));
        Assert.DoesNotContain((await Defaults.Value).All("Microsoft.Authorization/roleAssignments"), a => a.GetProperty("properties").GetProperty("principalId").GetString() == Analyst);
    }

    [Fact]
    public async Task Consumers_read_the_call_tables_the_change_feed_and_the_call_and_recording_containers_and_nothing_else()
    {
        var snapshot = await EverythingOn.Value;
        var grants = snapshot.All("Microsoft.Authorization/roleAssignments")
            .Where(a => a.GetProperty("properties").GetProperty("principalId").GetString() == Consumer)
            .Select(a => (Scope: Scope(BicepSnapshot.Id(a), "/providers/Microsoft.Authorization/roleAssignments/"), Role: a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Split('/')[^1]))
            .ToList();

        var tables = grants.Where(g => g.Role == StorageTableDataReader).Select(g => After(g.Scope, "/tableServices/default/tables/")).Order();
        var containers = grants.Where(g => g.Role == StorageBlobDataReader).Select(g => After(g.Scope, "/blobServices/default/containers/")).Order();

        Assert.Equal(new[] { StorageNames.CallsTable, StorageNames.CallsByUserTable, StorageNames.CallsByDayTable, StorageNames.CallChangesTable }.Order(), tables);
        Assert.Equal(new[] { StorageNames.RawCallsContainer, StorageNames.RecordingsContainer }.Order(), containers);
        Assert.Equal(6, grants.Count);
        Assert.DoesNotContain(grants, g => g.Scope.EndsWith("/storageAccounts/" + Name(g.Scope, "/storageAccounts/"), StringComparison.Ordinal));
        Assert.DoesNotContain(grants, g => g.Scope.Contains(StorageNames.WebhookDeliveriesTable, StringComparison.Ordinal) || g.Scope.Contains(StorageNames.StateTable, StringComparison.Ordinal) || g.Scope.Contains("/queueServices/", StringComparison.Ordinal));
        Assert.DoesNotContain((await Defaults.Value).All("Microsoft.Authorization/roleAssignments"), a => a.GetProperty("properties").GetProperty("principalId").GetString() == Consumer);
    }

    /// <summary>The roster mirror holds personal data: only the principals given for it read it, and only it.</summary>
    [Fact]
    public async Task The_roster_mirror_is_read_through_a_role_of_its_own_that_consumers_do_not_get()
    {
        var snapshot = await EverythingOn.Value;
        // The app's own assignments have expressions for scopes (its principal id is known only once deployed): left out.
        var grants = snapshot.All("Microsoft.Authorization/roleAssignments")
            .Select(a => (Principal: a.GetProperty("properties").GetProperty("principalId").GetString(), Assignment: a))
            .Where(a => a.Principal is AgentReader or Consumer)
            .Select(a => (a.Principal, Scope: Scope(BicepSnapshot.Id(a.Assignment), "/providers/Microsoft.Authorization/roleAssignments/"), Role: a.Assignment.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Split('/')[^1]))
            .ToList();

        var readers = grants.Where(g => g.Principal == AgentReader).ToList();

        Assert.All(readers, g => Assert.Equal(StorageTableDataReader, g.Role));
        Assert.Equal(new[] { StorageNames.AgentsTable, StorageNames.AgencyNamesTable }.Order(), readers.Select(g => After(g.Scope, "/tableServices/default/tables/")).Order());
        Assert.DoesNotContain(grants, g => g.Principal == Consumer && (g.Scope.EndsWith("/" + StorageNames.AgentsTable, StringComparison.Ordinal) || g.Scope.EndsWith("/" + StorageNames.AgencyNamesTable, StringComparison.Ordinal)));
        Assert.DoesNotContain((await Defaults.Value).All("Microsoft.Authorization/roleAssignments"), a => a.GetProperty("properties").GetProperty("principalId").GetString() == AgentReader);
    }

    /// <summary>
    /// The app's identity writes blobs only in the containers it uses: its own, the Functions host's, and the one its
    /// package is deployed from; never account-wide (where it could read or replace any blob a consumer relies on).
    /// </summary>
    [Fact]
    public async Task The_app_holds_blob_rights_only_on_the_containers_it_uses()
    {
        var snapshot = await Defaults.Value;
        // The app's principal id is known only once its identity is deployed, so its assignments' ids stay expressions:
        // [extensionResourceId('<scope>', 'Microsoft.Authorization/roleAssignments', guid(…))].
        var app = snapshot.All("Microsoft.Authorization/roleAssignments")
            .Where(a => a.GetProperty("properties").GetProperty("principalId").GetString() != Consumer)
            .Select(a => (Scope: AssignmentScope().Match(BicepSnapshot.Id(a)).Groups[1].Value, Role: a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Split('/')[^1]))
            .ToList();
        Assert.All(app, g => Assert.StartsWith("/subscriptions/", g.Scope, StringComparison.Ordinal));
        var blobRoles = new[] { StorageBlobDataOwner, StorageBlobDataContributor, StorageBlobDataReader };

        var blobGrants = app.Where(g => blobRoles.Contains(g.Role)).ToList();

        Assert.All(blobGrants, g => Assert.Equal(StorageBlobDataOwner, g.Role));
        Assert.Equal(
            new[] { StorageNames.RawCallsContainer, StorageNames.RecordingsContainer, StorageNames.LocksContainer, StorageNames.ExportsContainer, "azure-webjobs-hosts", "azure-webjobs-secrets", "app-package" }.Order(),
            blobGrants.Select(g => After(g.Scope, "/blobServices/default/containers/")).Order());
        Assert.DoesNotContain(app, g => blobRoles.Contains(g.Role) && !g.Scope.Contains("/containers/", StringComparison.Ordinal));
        // The host's containers exist before it starts, since the identity cannot create containers.
        var containers = snapshot.All("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => BicepSnapshot.Id(c).Split('/')[^1]).ToList();
        Assert.Contains("azure-webjobs-hosts", containers);
        Assert.Contains("azure-webjobs-secrets", containers);
    }

    [Fact]
    public async Task Network_access_is_open_by_default_and_restricted_to_the_app_subnet_and_listed_addresses_on_request()
    {
        var open = await Defaults.Value;
        var restricted = await EverythingOn.Value;

        foreach (var type in new[] { "Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults" })
        {
            Assert.Equal("Allow", open.Properties(type).GetProperty("networkAcls").GetProperty("defaultAction").GetString());
            var acls = restricted.Properties(type).GetProperty("networkAcls");
            Assert.Equal("Deny", acls.GetProperty("defaultAction").GetString());
            Assert.Equal("AzureServices", acls.GetProperty("bypass").GetString());
            Assert.Equal([Subnet], acls.GetProperty("virtualNetworkRules").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
            Assert.Equal(["203.0.113.0/24", "198.51.100.7"], acls.GetProperty("ipRules").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
        }

        Assert.Equal(Subnet, restricted.Properties("Microsoft.Web/sites").GetProperty("virtualNetworkSubnetId").GetString());
        Assert.False(open.Properties("Microsoft.Web/sites").TryGetProperty("virtualNetworkSubnetId", out var none) && none.ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public async Task The_workspace_has_a_daily_cap_parameter()
    {
        var cap = (await Defaults.Value).Properties("Microsoft.OperationalInsights/workspaces").GetProperty("workspaceCapping").GetProperty("dailyQuotaGb").GetDouble();
        var raised = (await EverythingOn.Value).Properties("Microsoft.OperationalInsights/workspaces").GetProperty("workspaceCapping").GetProperty("dailyQuotaGb").GetDouble();

        Assert.Equal(new { DefaultQuotaGb = 2.0, RaisedQuotaGb = 5.0 }, new { DefaultQuotaGb = cap, RaisedQuotaGb = raised });
    }

    [Fact]
    public async Task Lifecycle_management_applies_the_retention_cool_tier_and_export_version_parameters_removes_previous_export_versions_and_is_absent_when_nothing_expires()
    {
        var defaults = Rules(await Defaults.Value);
        var everything = Rules(await EverythingOn.Value);

        // Default: recordings move to Cool after 30 days; of the calls' own data nothing is deleted. The export's version
        // folders (never its pointers, never calls/changes/) go after a week, a backstop behind the rebuild's own removal.
        Assert.Equal(
            [new LifecycleRule("athos-exports/agents/v=", "delete", 7), new LifecycleRule("athos-exports/calls/current/v=", "delete", 7), new LifecycleRule("athos-exports/scores/v=", "delete", 7), new LifecycleRule("athos-recordings/", "tierToCool", 30)],
            InOrder(defaults));

        Assert.Equal(
            [new LifecycleRule("athos-calls/", "delete", 730), new LifecycleRule("athos-exports/agents/v=", "delete", 10), new LifecycleRule("athos-exports/calls/current/v=", "delete", 10), new LifecycleRule("athos-exports/scores/v=", "delete", 10), new LifecycleRule("athos-recordings/", "delete", 365), new LifecycleRule("athos-recordings/", "tierToCool", 45)],
            InOrder(everything.Where(r => r.Action != "version.delete")));
        // With versioning on, previous versions expire with their blob; in athos-exports (calls/changes/ included, whose
        // files a rewrite for an erasure replaces) every previous version goes after a day, as they may hold erased rows.
        Assert.Equal(
            [new LifecycleRule("athos-calls/", "version.delete", 730), new LifecycleRule("athos-exports/", "version.delete", 1), new LifecycleRule("athos-recordings/", "version.delete", 365)],
            InOrder(everything.Where(r => r.Action == "version.delete")));
        Assert.DoesNotContain(defaults, r => r.Prefix == "athos-exports/");

        Assert.Empty((await NothingExpires.Value).All("Microsoft.Storage/storageAccounts/managementPolicies"));
    }

    [Fact]
    public async Task The_app_gets_the_rescan_schedule_and_the_recordings_switch_from_parameters_with_defaults()
    {
        var defaults = (await Defaults.Value).Properties("Microsoft.Web/sites/config");
        var changed = (await EverythingOn.Value).Properties("Microsoft.Web/sites/config");

        Assert.Equal("0 30 3 * * *", defaults.GetProperty("ATHOS_RECONCILE_RESCAN_SCHEDULE").GetString());
        Assert.Equal("true", defaults.GetProperty("ATHOS_ARCHIVE_RECORDINGS").GetString());
        Assert.Equal("0 0 4 * * *", changed.GetProperty("ATHOS_RECONCILE_RESCAN_SCHEDULE").GetString());
        Assert.Equal("false", changed.GetProperty("ATHOS_ARCHIVE_RECORDINGS").GetString());
    }

    /// <summary>With a keyed webhook URL, the anonymous function is switched off by the host's own setting.</summary>
    [Fact]
    public async Task The_anonymous_webhook_is_on_by_default_and_switched_off_when_the_webhook_requires_a_function_key()
    {
        var defaults = (await Defaults.Value).Properties("Microsoft.Web/sites/config");
        var keyed = (await EverythingOn.Value).Properties("Microsoft.Web/sites/config");

        Assert.Equal("false", defaults.GetProperty("AzureWebJobs.AthosWebhook.Disabled").GetString());
        Assert.Equal("true", keyed.GetProperty("AzureWebJobs.AthosWebhook.Disabled").GetString());
        Assert.False(keyed.TryGetProperty("AzureWebJobs.AthosWebhookKeyed.Disabled", out _));
    }

    /// <summary>Flex Consumption's always-ready instances of the HTTP trigger group: none unless the parameter asks.</summary>
    [Fact]
    public async Task Always_ready_HTTP_instances_are_none_by_default_and_the_parameter_sets_the_http_group()
    {
        var defaults = (await Defaults.Value).Properties("Microsoft.Web/sites").GetProperty("functionAppConfig").GetProperty("scaleAndConcurrency");
        var two = (await EverythingOn.Value).Properties("Microsoft.Web/sites").GetProperty("functionAppConfig").GetProperty("scaleAndConcurrency");

        Assert.Empty(defaults.GetProperty("alwaysReady").EnumerateArray());
        var http = Assert.Single(two.GetProperty("alwaysReady").EnumerateArray());
        Assert.Equal(new { Name = (string?)"http", InstanceCount = 2 }, new { Name = http.GetProperty("name").GetString(), InstanceCount = http.GetProperty("instanceCount").GetInt32() });
    }

    [Theory]
    [InlineData("-1", "minimum allowable value is 0")]
    [InlineData("41", "maximum allowable value is 40")]
    public async Task Always_ready_HTTP_instances_outside_0_to_40_are_refused_before_anything_is_deployed(string value, string message)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => BicepSnapshot.CreateAsync(("alwaysReadyHttpInstances", value)));

        Assert.Contains(message, refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_athos_recordings_container_is_created()
    {
        var containers = (await Defaults.Value).All("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => c.GetProperty("name").GetString()!.Split('/')[^1]);

        Assert.Contains(StorageNames.RecordingsContainer, containers);
    }

    /// <summary>Each lifecycle rule as (prefix, action, days); version actions as <c>version.delete</c>.</summary>
    private static List<LifecycleRule> Rules(BicepSnapshot snapshot)
    {
        var rules = new List<LifecycleRule>();
        foreach (var rule in snapshot.Properties("Microsoft.Storage/storageAccounts/managementPolicies").GetProperty("policy").GetProperty("rules").EnumerateArray())
        {
            Assert.True(rule.GetProperty("enabled").GetBoolean());
            var definition = rule.GetProperty("definition");
            var prefix = Assert.Single(definition.GetProperty("filters").GetProperty("prefixMatch").EnumerateArray()).GetString()!;
            var actions = definition.GetProperty("actions");
            if (actions.TryGetProperty("baseBlob", out var baseBlob))
            {
                foreach (var action in baseBlob.EnumerateObject())
                {
                    rules.Add(new LifecycleRule(prefix, action.Name, action.Value.GetProperty("daysAfterCreationGreaterThan").GetInt32()));
                }
            }

            if (actions.TryGetProperty("version", out var version))
            {
                rules.Add(new LifecycleRule(prefix, "version.delete", version.GetProperty("delete").GetProperty("daysAfterCreationGreaterThan").GetInt32()));
            }
        }

        return rules;
    }

    private static JsonElement Scoped(Dictionary<string, JsonElement> settings, string scopePart) => Assert.Single(settings, s => s.Key.Contains(scopePart, StringComparison.Ordinal)).Value;

    private static List<string> Logs(JsonElement setting) =>
        [.. setting.GetProperty("logs").EnumerateArray().Where(l => l.GetProperty("enabled").GetBoolean()).Select(l => l.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "categoryGroup:" + l.GetProperty("categoryGroup").GetString())];

    private static string Scope(string id, string extension) => id[..id.IndexOf(extension, StringComparison.Ordinal)];

    private static string After(string scope, string marker) => scope[(scope.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];

    private static string Name(string scope, string marker) => After(scope, marker).Split('/')[0];

    private static IEnumerable<LifecycleRule> InOrder(IEnumerable<LifecycleRule> rules) => rules.OrderBy(r => (r.Prefix, r.Action, r.Days));

    /// <summary>One lifecycle rule, named so that a failed comparison says which part differs.</summary>
    private sealed record LifecycleRule(string Prefix, string Action, int Days);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\[extensionResourceId\('([^']+)', 'Microsoft\.Authorization/roleAssignments'")]
    private static partial System.Text.RegularExpressions.Regex AssignmentScope();
}
