// Athos.Webhooks: one resource group with everything the app needs, secure by default.
// Compose: identity → storage, monitoring, Key Vault → role assignments → function app → alerts and the workbook.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(20)
@description('Short name of this deployment (the azd environment name); resource names derive from it.')
param environmentName string

@description('Region of every resource (one that offers Flex Consumption).')
param location string = resourceGroup().location

// The secrets are required on every deployment, with no default: a deployment from a shell or pipeline that lacks
// them fails before it reaches Azure instead of writing empty values to Key Vault (docs/deployment.md, "Secrets").
@secure()
@minLength(16)
@description('The Athos API key (ath_live_…). Stored in Key Vault as ATHOS-API-KEY.')
param athosApiKey string

@secure()
@minLength(16)
@description('The webhook signing secret (whsec_…), whole. Stored in Key Vault as ATHOS-WHSEC.')
param athosWebhookSecret string

@secure()
@description('The previous signing secret while rotating; empty otherwise.')
param athosPreviousWebhookSecret string = ''

@description('The Athos External API base URL.')
param athosBaseUrl string = 'https://app.useathos.ai/api/external/v1'

@allowed([5, 10, 15])
@description('Minutes between reconcile runs (ATHOS_RECONCILE_SCHEDULE); the alert fires after three without success.')
param reconcileIntervalMinutes int = 10

@allowed([512, 2048, 4096])
@description('Memory per Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Most Flex Consumption instances at once.')
param maximumInstanceCount int = 40

// 0 until a cold start in Azure is measured against Athos's 10-second deadline: each always-ready instance is billed
// for its memory around the clock (docs/deployment.md, "Cold starts and always-ready instances").
@minValue(0)
@maxValue(40)
@description('Always-ready instances of the HTTP trigger group (the webhook); at most maximumInstanceCount.')
param alwaysReadyHttpInstances int = 0

@description('Key Vault purge protection (cannot be turned off once on).')
param enablePurgeProtection bool = true

@description('Six-field CRON of the trailing rescan that re-reads recently changed calls (ATHOS_RECONCILE_RESCAN_SCHEDULE).')
param reconcileRescanSchedule string = '0 30 3 * * *'

@description('Copy each call\'s recording into athos-recordings before Athos deletes it (ATHOS_ARCHIVE_RECORDINGS).')
param archiveRecordings bool = true

@description('Give Athos a webhook URL with a function key (/api/athos/webhook/keyed?code=…): the host refuses unkeyed requests before the app runs, and the anonymous route is switched off. The key then lives at Athos too (docs/security.md).')
param webhookRequiresFunctionKey bool = false

@description('Principal (object) ids that read the call tables and blobs with their own identity: Storage Table Data Reader on the call tables and Storage Blob Data Reader on athos-calls and athos-recordings, nothing else.')
param consumerPrincipalIds array = []

@description('Principal (object) ids that read the roster mirror (AthosAgents, and AthosAgencyNames) with their own identity: Storage Table Data Reader on those two tables only. Personal data (names, emails, NPNs when mirrored), so not part of consumerPrincipalIds.')
param agentReaderPrincipalIds array = []

@description('Six-field CRON of the roster sync that mirrors Athos\'s roster into AthosAgents (ATHOS_ROSTER_SCHEDULE).')
param rosterSchedule string = '0 20 * * * *'

@description('Principal (object) ids (analysts, groups, Power BI or Fabric service principals) that read the analytics export with their own identity: Storage Blob Data Reader on athos-exports only (docs/consumers.md).')
param exportReaderPrincipalIds array = []

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GZRS'
])
@description('Storage replication. ZRS by default: three zones in one region, so a zone outage loses no call (docs/deployment.md, "Redundancy").')
param storageRedundancy string = 'Standard_ZRS'

@minValue(0)
@maxValue(365)
@description('Days a deleted or overwritten blob stays recoverable (account-wide soft delete); 0 turns it off.')
param blobSoftDeleteRetentionDays int = 7

@description('Keep every previous version of each blob. Off by default: recordings are large.')
param enableBlobVersioning bool = false

@minValue(0)
@description('Days after which archive blobs (athos-calls, the transcripts) are deleted; 0 keeps them.')
param archiveRetentionDays int = 0

@minValue(0)
@description('Days after which recordings (athos-recordings) are deleted; 0 keeps them.')
param recordingsRetentionDays int = 0

@minValue(0)
@description('Days after which recordings move to the Cool tier; 0 never.')
param recordingsCoolAfterDays int = 30

@minValue(0)
@description('Days after which a file of an athos-exports version folder (calls/current/v=…, scores/v=…, agents/v=…) is deleted whatever happened, a backstop behind the rebuild\'s own removal; 0 keeps them. Longer than ATHOS_EXPORT_GRACE plus the time between rebuilds.')
param exportVersionRetentionDays int = 7

@description('Deny storage and Key Vault network access except from appSubnetId and allowedIpRanges (docs/deployment.md, "Network").')
param restrictNetworkAccess bool = false

@description('Subnet the function app integrates with (delegated to Microsoft.App/environments, with the Microsoft.Storage and Microsoft.KeyVault service endpoints); required with restrictNetworkAccess.')
param appSubnetId string = ''

@description('Public IP addresses or CIDR ranges (operators, consumers, the deploying pipeline) let through when restrictNetworkAccess is on.')
param allowedIpRanges array = []

@minValue(-1)
@description('Most GB the Log Analytics workspace ingests per day; -1 for no cap.')
param logAnalyticsDailyCapGb int = 2

@description('E-mail address for alerts; empty for none.')
param alertEmail string = ''

@minValue(60)
@description('Freshness p95 in seconds (Athos scoring a call → its row) above which the freshness alert fires.')
param freshnessP95ThresholdSeconds int = 900

@minValue(1)
@description('Webhook deliveries answered 401 in 15 minutes (and at least half of all) that fire the "webhooks unauthorized" alert.')
param webhookUnauthorizedThreshold int = 3

@description('Overrides of the derived resource names; empty to derive.')
param functionAppName string = ''
param storageAccountName string = ''
param keyVaultName string = ''

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var prefix = toLower(replace(environmentName, '_', '-'))
var tags = {
  'azd-env-name': environmentName
  application: 'athos-webhooks'
}
var names = {
  identity: 'id-${prefix}-${token}'
  storage: !empty(storageAccountName) ? storageAccountName : take('st${replace(prefix, '-', '')}${token}', 24)
  keyVault: !empty(keyVaultName) ? keyVaultName : take('kv-${prefix}-${token}', 24)
  logAnalytics: 'log-${prefix}-${token}'
  applicationInsights: 'appi-${prefix}-${token}'
  plan: 'plan-${prefix}-${token}'
  functionApp: !empty(functionAppName) ? functionAppName : 'func-${prefix}-${token}'
}
var deploymentContainerName = 'app-package'
var networkAcls = restrictNetworkAccess
  ? {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: empty(appSubnetId) ? [] : [{ id: appSubnetId }]
      ipRules: map(allowedIpRanges, range => { value: range })
    }
  : {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    skuName: storageRedundancy
    softDeleteRetentionDays: blobSoftDeleteRetentionDays
    enableVersioning: enableBlobVersioning
    archiveRetentionDays: archiveRetentionDays
    recordingsRetentionDays: recordingsRetentionDays
    recordingsCoolAfterDays: recordingsCoolAfterDays
    exportVersionRetentionDays: exportVersionRetentionDays
    networkAcls: networkAcls
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    dailyCapGb: logAnalyticsDailyCapGb
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: enablePurgeProtection
    networkAcls: networkAcls
    athosApiKey: athosApiKey
    athosWebhookSecret: athosWebhookSecret
    athosPreviousWebhookSecret: athosPreviousWebhookSecret
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: vault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    consumerPrincipalIds: consumerPrincipalIds
    agentReaderPrincipalIds: agentReaderPrincipalIds
    exportReaderPrincipalIds: exportReaderPrincipalIds
    deploymentContainerName: deploymentContainerName
  }
}

module app 'modules/functionapp.bicep' = {
  name: 'functionapp'
  dependsOn: [
    // The app reads storage and Key Vault as soon as it starts.
    roles
  ]
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    apiKeySecretUri: vault.outputs.apiKeySecretUri
    webhookSecretUri: vault.outputs.webhookSecretUri
    previousWebhookSecretUri: vault.outputs.previousWebhookSecretUri
    athosBaseUrl: athosBaseUrl
    reconcileSchedule: '0 */${reconcileIntervalMinutes} * * * *'
    reconcileRescanSchedule: reconcileRescanSchedule
    rosterSchedule: rosterSchedule
    archiveRecordings: archiveRecordings
    webhookRequiresFunctionKey: webhookRequiresFunctionKey
    subnetId: appSubnetId
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
  }
}

module diagnostics 'modules/diagnostics.bicep' = {
  name: 'diagnostics'
  params: {
    workspaceId: monitoring.outputs.workspaceId
    storageAccountName: storage.outputs.name
    keyVaultName: vault.outputs.name
    functionAppName: app.outputs.name
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
    reconcileIntervalMinutes: reconcileIntervalMinutes
    freshnessP95ThresholdSeconds: freshnessP95ThresholdSeconds
    webhookUnauthorizedThreshold: webhookUnauthorizedThreshold
    alertEmail: alertEmail
    namePrefix: prefix
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
    namePrefix: prefix
  }
}

output AZURE_LOCATION string = location
output FUNCTION_APP_NAME string = app.outputs.name
output FUNCTION_APP_HOSTNAME string = app.outputs.hostName
@description('The URL to register with Athos as the webhook endpoint.')
// With webhookRequiresFunctionKey, append ?code=<the default function key of AthosWebhookKeyed> (docs/deployment.md);
// the key is never an output, which the deployment history would keep.
output WEBHOOK_URL string = 'https://${app.outputs.hostName}/api/athos/webhook${webhookRequiresFunctionKey ? '/keyed' : ''}'
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
@description('Where consumers read the call tables (docs/schema.md).')
output STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output KEY_VAULT_NAME string = vault.outputs.name
