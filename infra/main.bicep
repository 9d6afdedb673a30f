// Athos.Webhooks: one resource group with everything the app needs, secure by default.
// Compose: identity → storage, monitoring, Key Vault → role assignments → function app → alerts.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(20)
@description('Short name of this deployment (the azd environment name); resource names derive from it.')
param environmentName string

@description('Region of every resource (one that offers Flex Consumption).')
param location string = resourceGroup().location

@secure()
@description('The Athos API key (ath_live_…). Stored in Key Vault as ATHOS-API-KEY.')
param athosApiKey string

@secure()
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

@description('Key Vault purge protection (cannot be turned off once on).')
param enablePurgeProtection bool = true

@description('Principal (object) ids granted Storage Table Data Reader, for consumers reading with their own identity.')
param consumerPrincipalIds array = []

@description('E-mail address for alerts; empty for none.')
param alertEmail string = ''

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
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: enablePurgeProtection
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
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    reconcileIntervalMinutes: reconcileIntervalMinutes
    alertEmail: alertEmail
    namePrefix: prefix
  }
}

output AZURE_LOCATION string = location
output FUNCTION_APP_NAME string = app.outputs.name
output FUNCTION_APP_HOSTNAME string = app.outputs.hostName
@description('The URL to register with Athos as the webhook endpoint.')
output WEBHOOK_URL string = 'https://${app.outputs.hostName}/api/athos/webhook'
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
@description('Where consumers read the call tables (docs/schema.md).')
output STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output KEY_VAULT_NAME string = vault.outputs.name
