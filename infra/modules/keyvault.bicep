// Key Vault (RBAC, soft delete) holding the Athos secrets; the app reads them as Key Vault references.
param name string
param location string
param tags object
param enablePurgeProtection bool
@description('Network rules: the default action and what is let through (see main.bicep).')
param networkAcls object
@secure()
param athosApiKey string
@secure()
param athosWebhookSecret string
@secure()
param athosPreviousWebhookSecret string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection cannot be turned off once on; null leaves it off.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: networkAcls
  }
}

resource apiKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'ATHOS-API-KEY'
  properties: {
    value: athosApiKey
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'ATHOS-WHSEC'
  properties: {
    value: athosWebhookSecret
  }
}

resource previousWebhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(athosPreviousWebhookSecret)) {
  parent: vault
  name: 'ATHOS-WHSEC-PREVIOUS'
  properties: {
    value: athosPreviousWebhookSecret
  }
}

output id string = vault.id
output name string = vault.name
// Versionless URIs: after a rotation the app picks up the new version (on restart, or within a day).
output apiKeySecretUri string = apiKey.properties.secretUri
output webhookSecretUri string = webhookSecret.properties.secretUri
output previousWebhookSecretUri string = previousWebhookSecret.?properties.secretUri ?? ''
