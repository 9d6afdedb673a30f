// Diagnostic settings to Log Analytics: Key Vault's audit log (who read which secret), storage's blob, queue and table
// logs (who read, wrote or deleted call data), and the function app's own log stream.
param workspaceId string
param storageAccountName string
param keyVaultName string
param functionAppName string

var name = 'to-log-analytics'
var storageLogs = [
  'StorageRead'
  'StorageWrite'
  'StorageDelete'
]
// Queue reads are the Functions host polling every few seconds: noise and cost, no audit value.
var queueLogs = [
  'StorageWrite'
  'StorageDelete'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }

  resource queueService 'queueServices' existing = {
    name: 'default'
  }

  resource tableService 'tableServices' existing = {
    name: 'default'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: name
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: name
  scope: storage::blobService
  properties: {
    workspaceId: workspaceId
    logs: [for category in storageLogs: { category: category, enabled: true }]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: name
  scope: storage::tableService
  properties: {
    workspaceId: workspaceId
    logs: [for category in storageLogs: { category: category, enabled: true }]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: name
  scope: storage::queueService
  properties: {
    workspaceId: workspaceId
    logs: [for category in queueLogs: { category: category, enabled: true }]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource appDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: name
  scope: app
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}
