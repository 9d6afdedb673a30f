using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Athos.Webhooks.Settings;
using Athos.Webhooks.Storage;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Tests.Deployment;

/// <summary>
/// infra/main.bicep compiled offline to ARM JSON, and checked against the code: security settings, roles, the
/// runtime, and that every required setting, queue, table and container the code names is what the template creates.
/// </summary>
public sealed partial class ArmTemplateTests
{
    private static readonly Lazy<Task<JsonElement>> Template = new(() => BicepCli.BuildAsync(BicepCli.MainTemplate));

    private static readonly Dictionary<string, string?> SecretsSet = new()
    {
        ["ATHOS_API_KEY"] = "ath_live_0123456789abcdef",
        ["ATHOS_WHSEC"] = "whsec_0123456789abcdef",
    };

    private static string MainParameters => Path.Combine(BicepCli.InfraDirectory, "main.bicepparam");

    [Fact]
    public async Task The_templates_build_and_lint_without_a_single_warning()
    {
        var lint = await BicepCli.RunAsync("lint", BicepCli.MainTemplate);
        var parameters = await BicepCli.RunAsync(SecretsSet, "build-params", MainParameters, "--stdout");

        Assert.Equal(0, lint.ExitCode);
        Assert.Equal(string.Empty, (lint.StandardOutput + lint.StandardError).Trim());
        Assert.Equal(0, parameters.ExitCode);
        Assert.DoesNotContain("Warning", parameters.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("ath_live_0123456789", null)]
    [InlineData(null, "whsec_0123456789ab")]
    [InlineData("short", "whsec_0123456789ab")]
    public async Task The_parameters_do_not_build_when_a_secret_is_unset_or_too_short_so_a_redeploy_cannot_blank_it(string? apiKey, string? webhookSecret)
    {
        var environment = new Dictionary<string, string?> { ["ATHOS_API_KEY"] = apiKey, ["ATHOS_WHSEC"] = webhookSecret, ["ATHOS_WHSEC_PREVIOUS"] = null };

        var (exit, output, error) = await BicepCli.RunAsync(environment, "build-params", MainParameters, "--stdout");

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("\"parameters\"", output, StringComparison.Ordinal);
        foreach (var (variable, value) in new[] { ("ATHOS_API_KEY", apiKey), ("ATHOS_WHSEC", webhookSecret) })
        {
            if (value is null)
            {
                Assert.Contains($"Environment variable \"{variable}\" does not exist and there's no default value set", error, StringComparison.Ordinal);
            }
            else if (value.Length < 16)
            {
                Assert.Contains("minimum allowable length is 16", error, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task The_secret_parameters_are_required_with_a_minimum_length_and_no_default()
    {
        var parameters = (await Template.Value).GetProperty("parameters");

        foreach (var name in new[] { "athosApiKey", "athosWebhookSecret" })
        {
            var parameter = parameters.GetProperty(name);
            Assert.Equal("securestring", parameter.GetProperty("type").GetString());
            Assert.False(parameter.TryGetProperty("defaultValue", out _), $"{name} has no default");
            Assert.True(parameter.GetProperty("minLength").GetInt32() >= 16, $"{name} has a minimum length");
        }
    }

    [Fact]
    public async Task Storage_allows_no_shared_keys_no_public_blobs_and_only_TLS_1_2_over_HTTPS()
    {
        var storage = Single(await Template.Value, "Microsoft.Storage/storageAccounts").Resource.GetProperty("properties");

        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());
        Assert.True(storage.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
    }

    [Fact]
    public async Task Every_queue_table_and_container_the_code_uses_is_created_with_the_same_name()
    {
        var template = await Template.Value;

        Assert.Equal(StorageNames.Queues.Order(), CreatedNames(template, "Microsoft.Storage/storageAccounts/queueServices/queues").Order());
        Assert.Equal(StorageNames.Tables.Order(), CreatedNames(template, "Microsoft.Storage/storageAccounts/tableServices/tables").Order());

        // The Functions host's two containers too: the app's identity may write only in containers that exist.
        Assert.Equal(StorageNames.Containers.Concat(["azure-webjobs-hosts", "azure-webjobs-secrets"]).Order(), CreatedNames(template, "Microsoft.Storage/storageAccounts/blobServices/containers").Order());

        // Plus the container the Flex Consumption app deploys its package from, passed in by main.bicep.
        Assert.Equal("app-package", template.GetProperty("variables").GetProperty("deploymentContainerName").GetString());
    }

    [Fact]
    public async Task The_function_app_is_Flex_Consumption_dotnet_isolated_10_HTTPS_only_TLS_1_2_and_no_FTP()
    {
        var template = await Template.Value;
        var plan = Single(template, "Microsoft.Web/serverfarms").Resource;
        var site = Single(template, "Microsoft.Web/sites").Resource;
        var properties = site.GetProperty("properties");
        var runtime = properties.GetProperty("functionAppConfig").GetProperty("runtime");

        Assert.Equal(new { Name = (string?)"FC1", Tier = (string?)"FlexConsumption" }, new { Name = plan.GetProperty("sku").GetProperty("name").GetString(), Tier = plan.GetProperty("sku").GetProperty("tier").GetString() });
        Assert.Equal("functionapp,linux", site.GetProperty("kind").GetString());
        Assert.Equal(new { Name = (string?)"dotnet-isolated", Version = (string?)"10.0" }, new { Name = runtime.GetProperty("name").GetString(), Version = runtime.GetProperty("version").GetString() });
        Assert.True(properties.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", properties.GetProperty("siteConfig").GetProperty("minTlsVersion").GetString());
        Assert.Equal("Disabled", properties.GetProperty("siteConfig").GetProperty("ftpsState").GetString());
        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.Equal("UserAssignedIdentity", properties.GetProperty("functionAppConfig").GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.All(All(template, "Microsoft.Web/sites/basicPublishingCredentialsPolicies"), p => Assert.False(p.Resource.GetProperty("properties").GetProperty("allow").GetBoolean()));
    }

    [Fact]
    public async Task Every_setting_the_code_requires_is_set_and_secrets_come_from_Key_Vault()
    {
        var template = await Template.Value;
        var (config, scope) = Single(template, "Microsoft.Web/sites/config");
        var settings = Resolve(config.GetProperty("properties"), scope).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        foreach (var required in RequiredSettingsFromCode())
        {
            Assert.True(settings.ContainsKey(required), $"infra/ sets the required setting {required}");
        }

        // Identity-based storage, as the code and the Functions host read it.
        foreach (var key in new[] { StorageOptions.CredentialKey, StorageOptions.ClientIdKey, StorageOptions.BlobServiceUriKey, StorageOptions.QueueServiceUriKey, StorageOptions.TableServiceUriKey })
        {
            Assert.True(settings.ContainsKey($"{StorageOptions.Setting}__{key}"), $"infra/ sets {StorageOptions.Setting}__{key}");
        }

        Assert.Equal("managedidentity", settings[$"{StorageOptions.Setting}__{StorageOptions.CredentialKey}"]);
        Assert.DoesNotContain(settings.Keys, k => k == StorageOptions.Setting);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri=", settings["ATHOS_API_KEY"], StringComparison.Ordinal);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri=", settings["ATHOS_WHSEC"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_identity_gets_exactly_the_roles_it_needs_and_consumers_only_read_roles()
    {
        var template = await Template.Value;
        var assigned = All(template, "Microsoft.Authorization/roleAssignments")
            .SelectMany(a => RoleIds(a.Resource.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!, a.Scope).Select(role => (Role: role, Principal: a.Resource.GetProperty("properties").GetProperty("principalId").GetString(), a.Resource)))
            .ToList();

        var app = assigned.Where(a => a.Principal == "[parameters('principalId')]").Select(a => a.Role).Order().ToList();
        var consumers = assigned.Where(a => a.Principal != "[parameters('principalId')]").Select(a => a.Role).ToList();

        Assert.Equal(new[] { StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor, KeyVaultSecretsUser, MonitoringMetricsPublisher }.Order(), app);
        // Which tables and containers consumers, the roster mirror's own readers and export readers read: InfraHardeningTests, on the evaluated template.
        Assert.Equal(new[] { StorageTableDataReader, StorageBlobDataReader, StorageTableDataReader, StorageBlobDataReader }.Order(), consumers.Order());
        Assert.All(assigned, a => Assert.StartsWith("[guid(", a.Resource.GetProperty("name").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Key_Vault_is_RBAC_with_soft_delete_and_App_Insights_takes_no_keys()
    {
        var template = await Template.Value;
        var vault = Single(template, "Microsoft.KeyVault/vaults").Resource.GetProperty("properties");
        var insights = Single(template, "Microsoft.Insights/components").Resource.GetProperty("properties");

        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.GetProperty("enableSoftDelete").GetBoolean());
        Assert.True(insights.GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Equal(6, All(template, "Microsoft.Insights/scheduledQueryRules").Count);
    }

    [Fact]
    public async Task The_outputs_say_which_URL_to_give_Athos_and_where_consumers_read()
    {
        var outputs = (await Template.Value).GetProperty("outputs");

        Assert.Contains("/api/athos/webhook", outputs.GetProperty("WEBHOOK_URL").GetProperty("value").GetString(), StringComparison.Ordinal);
        foreach (var name in new[] { "FUNCTION_APP_NAME", "FUNCTION_APP_HOSTNAME", "STORAGE_ACCOUNT_NAME", "STORAGE_TABLE_ENDPOINT" })
        {
            Assert.True(outputs.TryGetProperty(name, out _), $"output {name}");
        }
    }

    // Built-in Azure role definition ids: the contract with Azure RBAC.
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string StorageTableDataReader = "76199698-9eea-4c19-bc75-cec21354c6b6";
    private const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    /// <summary>The setting names of every options property marked [RequiredSetting] in the core library.</summary>
    private static List<string> RequiredSettingsFromCode()
    {
        var names = typeof(RequiredSettingAttribute).Assembly.GetTypes()
            .SelectMany(t => t.GetProperties())
            .Where(p => p.GetCustomAttribute<RequiredSettingAttribute>() is not null)
            .Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? throw new InvalidOperationException($"{p.DeclaringType}.{p.Name} is required but has no setting name."))
            .ToList();
        Assert.Contains("ATHOS_API_KEY", names);
        return names;
    }

    /// <summary>Every resource of a type, in the main template and its module deployments, with the template it is in.</summary>
    private static List<(JsonElement Resource, JsonElement Scope)> All(JsonElement template, string type)
    {
        var found = new List<(JsonElement, JsonElement)>();
        foreach (var resource in template.GetProperty("resources").EnumerateArray())
        {
            if (resource.GetProperty("type").GetString() == type)
            {
                found.Add((resource, template));
            }

            if (resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
            {
                found.AddRange(All(resource.GetProperty("properties").GetProperty("template"), type));
            }
        }

        return found;
    }

    private static (JsonElement Resource, JsonElement Scope) Single(JsonElement template, string type) => Assert.Single(All(template, type));

    /// <summary>The names a looped resource creates: the variable array its copy loop runs over.</summary>
    private static List<string> CreatedNames(JsonElement template, string type)
    {
        var (resource, scope) = Single(template, type);
        var loop = Assert.Single(VariableReference().Matches(resource.GetProperty("copy").GetProperty("count").GetString()!)).Groups[1].Value;
        return [.. scope.GetProperty("variables").GetProperty(loop).EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>The role ids an expression assigns, resolving variables('roles').x and variables('storageRoles')[copyIndex()].</summary>
    private static IEnumerable<string> RoleIds(string expression, JsonElement scope)
    {
        var roles = scope.GetProperty("variables").GetProperty("roles");
        IEnumerable<string> Named(string text) => RoleReference().Matches(text).Select(m => roles.GetProperty(m.Groups[1].Value).GetString()!);
        var direct = Named(expression).ToList();
        if (direct.Count > 0)
        {
            return direct;
        }

        var list = VariableReference().Match(expression).Groups[1].Value;
        return scope.GetProperty("variables").GetProperty(list).EnumerateArray().SelectMany(e => Named(e.GetString()!));
    }

    private static JsonElement Resolve(JsonElement value, JsonElement scope) =>
        value.ValueKind == JsonValueKind.String && VariableReference().Match(value.GetString()!) is { Success: true } match
            ? scope.GetProperty("variables").GetProperty(match.Groups[1].Value)
            : value;

    [GeneratedRegex(@"variables\('(\w+)'\)(?!\.)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"variables\('roles'\)\.(\w+)")]
    private static partial Regex RoleReference();

}
