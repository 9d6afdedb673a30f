// Least-privilege role assignments for the app's identity, and read access for consumers' own identities.
// Each assignment is named guid(scope, principal, role), so redeploying is idempotent.
param principalId string
param storageAccountName string
param keyVaultName string
param applicationInsightsName string
@description('Principal (object) ids of consumers that read the call tables and blobs with their own identity.')
param consumerPrincipalIds array
@description('Principal (object) ids that read the roster mirror (personal data) with their own identity: its own role, not the consumers\'.')
param agentReaderPrincipalIds array
@description('Principal (object) ids that read the analytics export (athos-exports) with their own identity, and nothing else.')
param exportReaderPrincipalIds array
@description('Blob container the Flex Consumption app deploys its package from (written with the app\'s identity).')
param deploymentContainerName string

// What consumers read (docs/schema.md), and nothing else: not the delivery ledger, the state table or the queues.
var consumerTables = [
  'AthosCalls'
  'AthosCallsByUser'
  'AthosCallsByDay'
  'AthosCallChanges'
]
// The roster mirror holds personal data (names, emails, NPNs): readable only by the principals given for it.
var agentTables = [
  'AthosAgents'
  'AthosAgencyNames'
]
var consumerContainers = [
  'athos-calls'
  'athos-recordings'
]

// What analysts read (docs/consumers.md): the Parquet datasets, not the tables, transcripts or recordings.
var exportsContainer = 'athos-exports'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Queues and tables for the whole account (the app uses every one of them); blobs only in the containers it uses: its
// own, the Functions host's, and the deployment container, which Flex Consumption's One Deploy writes with this same
// identity. Residual risk (docs/security.md): code running as the app can replace its own package.
var storageRoles = [
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]
var appContainers = [
  'athos-calls'
  'athos-recordings'
  'athos-locks'
  'athos-exports'
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
  deploymentContainerName
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource tableService 'tableServices' existing = {
    name: 'default'
  }

  resource blobService 'blobServices' existing = {
    name: 'default'
  }
}

resource readableTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' existing = [for table in consumerTables: {
  parent: storage::tableService
  name: table
}]

resource agentReadableTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' existing = [for table in agentTables: {
  parent: storage::tableService
  name: table
}]

resource readableContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [for container in consumerContainers: {
  parent: storage::blobService
  name: container
}]

resource writableContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [for container in appContainers: {
  parent: storage::blobService
  name: container
}]

resource exports 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: storage::blobService
  name: exportsContainer
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in storageRoles: {
  name: guid(storage.id, principalId, role)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

resource appBlobRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (container, i) in appContainers: {
  name: guid(writableContainers[i].id, principalId, roles.storageBlobDataOwner)
  scope: writableContainers[i]
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}]

resource appSecretsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource appTelemetryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// One assignment per consumer and table, and per consumer and container, each scoped to that table or container.
var tableGrants = flatten(map(consumerPrincipalIds, consumer => map(range(0, length(consumerTables)), i => { principalId: consumer, index: i })))
var containerGrants = flatten(map(consumerPrincipalIds, consumer => map(range(0, length(consumerContainers)), i => { principalId: consumer, index: i })))

resource consumerTableReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in tableGrants: {
  name: guid(readableTables[grant.index].id, grant.principalId, roles.storageTableDataReader)
  scope: readableTables[grant.index]
  properties: {
    principalId: grant.principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
  }
}]

resource consumerBlobReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in containerGrants: {
  name: guid(readableContainers[grant.index].id, grant.principalId, roles.storageBlobDataReader)
  scope: readableContainers[grant.index]
  properties: {
    principalId: grant.principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
  }
}]

// One assignment per roster reader and roster table, each scoped to that table.
var agentTableGrants = flatten(map(agentReaderPrincipalIds, reader => map(range(0, length(agentTables)), i => { principalId: reader, index: i })))

resource agentTableReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in agentTableGrants: {
  name: guid(agentReadableTables[grant.index].id, grant.principalId, roles.storageTableDataReader)
  scope: agentReadableTables[grant.index]
  properties: {
    principalId: grant.principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
  }
}]

// One assignment per export reader, scoped to athos-exports.
resource exportReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for reader in exportReaderPrincipalIds: {
  name: guid(exports.id, reader, roles.storageBlobDataReader)
  scope: exports
  properties: {
    principalId: reader
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
  }
}]
