// The Flex Consumption (FC1) plan and the Linux function app (dotnet-isolated 10.0), running as the user-assigned
// identity: identity-based AzureWebJobsStorage, Key Vault references for the Athos secrets, deployment from blob.
param planName string
param appName string
param location string
param tags object
param identityId string
param identityClientId string
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string
param applicationInsightsConnectionString string
param apiKeySecretUri string
param webhookSecretUri string
param previousWebhookSecretUri string
param athosBaseUrl string
param reconcileSchedule string
@description('Six-field CRON of the trailing rescan (ATHOS_RECONCILE_RESCAN_SCHEDULE); the Functions host resolves it itself.')
param reconcileRescanSchedule string
@description('Six-field CRON of the roster sync (ATHOS_ROSTER_SCHEDULE); the Functions host resolves it itself.')
param rosterSchedule string
@description('Copy each call\'s recording into athos-recordings (ATHOS_ARCHIVE_RECORDINGS).')
param archiveRecordings bool
@description('Switch the anonymous webhook function off, so that only the keyed one answers.')
param webhookRequiresFunctionKey bool
@description('Subnet for VNet integration (delegated to Microsoft.App/environments); empty for none.')
param subnetId string
param instanceMemoryMB int
param maximumInstanceCount int
@description('Always-ready instances of the HTTP trigger group; none is declared at 0.')
param alwaysReadyHttpInstances int

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

var appSettings = {
  // Storage through the identity, for the host (triggers) and the code alike.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  ATHOS_API_KEY: '@Microsoft.KeyVault(SecretUri=${apiKeySecretUri})'
  ATHOS_WHSEC: '@Microsoft.KeyVault(SecretUri=${webhookSecretUri})'
  ATHOS_BASE_URL: athosBaseUrl
  ATHOS_RECONCILE_SCHEDULE: reconcileSchedule
  ATHOS_RECONCILE_RESCAN_SCHEDULE: reconcileRescanSchedule
  ATHOS_ROSTER_SCHEDULE: rosterSchedule
  // The Functions host resolves %ATHOS_EXPORT_SCHEDULE% itself: the setting must exist (the code's default).
  ATHOS_EXPORT_SCHEDULE: '0 */15 * * * *'
  ATHOS_ARCHIVE_RECORDINGS: archiveRecordings ? 'true' : 'false'
  // Empty means "no previous secret" to the app.
  ATHOS_WHSEC_PREVIOUS: empty(previousWebhookSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${previousWebhookSecretUri})'
  // The host's own switch for a function: with it on, an unkeyed request to /api/athos/webhook finds no function.
  'AzureWebJobs.AthosWebhook.Disabled': webhookRequiresFunctionKey ? 'true' : 'false'
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the same identity.
    keyVaultReferenceIdentity: identityId
    // With storage and Key Vault restricted to a subnet, the app reaches them through it.
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyHttpInstances == 0 ? [] : [
          {
            name: 'http'
            instanceCount: alwaysReadyHttpInstances
          }
        ]
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }

  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = app.name
output hostName string = app.properties.defaultHostName
