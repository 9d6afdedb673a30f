// The storage account and everything the code uses in it. The names below are the code's
// (src/Athos.Webhooks.Consumer/StorageNames.cs); a test compiles this file and checks they match.
param name string
param location string
param tags object
@description('Blob container the Flex Consumption app deploys its package from.')
param deploymentContainerName string
@description('Replication: Standard_LRS, Standard_ZRS or Standard_GZRS (see docs/deployment.md, "Redundancy").')
param skuName string
@description('Days a deleted or overwritten blob (and a deleted container) stays recoverable; 0 turns soft delete off.')
param softDeleteRetentionDays int
@description('Keep every previous version of each blob (recordings are large: off by default).')
param enableVersioning bool
@description('Days after which an archive blob (athos-calls/{callId}.json) is deleted; 0 keeps them.')
param archiveRetentionDays int
@description('Days after which a recording (athos-recordings/{callId}.ogg) is deleted; 0 keeps them.')
param recordingsRetentionDays int
@description('Days after which a recording moves to the Cool tier; 0 never.')
param recordingsCoolAfterDays int
@description('Days after which a file of an athos-exports version folder (calls/current, scores, agents) is deleted (a backstop behind the rebuild\'s own removal); 0 keeps them.')
param exportVersionRetentionDays int
@description('Network rules: the default action and what is let through (see main.bicep).')
param networkAcls object

var queueNames = [
  'athos-calls'
  'athos-calls-poison'
]
var tableNames = [
  'AthosCalls'
  'AthosCallsByUser'
  'AthosCallsByDay'
  'AthosCallChanges'
  'AthosWebhookDeliveries'
  'AthosState'
  'AthosParkedWork'
  'AthosAgents'
  'AthosAgencyNames'
]
var containerNames = [
  'athos-calls'
  'athos-recordings'
  'athos-locks'
  'athos-exports'
  // The Functions host's own (timer and singleton leases, host keys): created here because the app's identity may
  // write only to the containers it is given, not create new ones (roles.bicep).
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]
var archiveContainer = 'athos-calls'
var recordingsContainer = 'athos-recordings'
var exportsContainer = 'athos-exports'
// The rebuilt datasets' version folders (src/Athos.Webhooks/Exports/CurrentExport.cs); never their _live.json pointers.
var exportVersionFolders = [
  { rule: 'exports-current-versions', prefix: 'athos-exports/calls/current/v=' }
  { rule: 'exports-scores-versions', prefix: 'athos-exports/scores/v=' }
  { rule: 'exports-agents-versions', prefix: 'athos-exports/agents/v=' }
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    // Identities only: no account keys, no SAS signed with them.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    publicNetworkAccess: 'Enabled'
    networkAcls: networkAcls
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queue in queueNames: {
  parent: queueService
  name: queue
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for table in tableNames: {
  parent: tableService
  name: table
}]

var softDelete = softDeleteRetentionDays > 0
  ? {
      enabled: true
      days: softDeleteRetentionDays
    }
  : {
      enabled: false
    }

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    // Account-wide: the archive and the recordings are the only full copy of each call.
    deleteRetentionPolicy: softDelete
    containerDeleteRetentionPolicy: softDelete
    isVersioningEnabled: enableVersioning
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for container in concat(containerNames, [deploymentContainerName]): {
  parent: blobService
  name: container
  properties: {
    publicAccess: 'None'
  }
}]

// Retention and tiering, by lifecycle management (Azure runs it about once a day). Each rule exists only when its
// parameter is above 0; previous versions, when versioning is on, follow the same retention.
var archiveExpiry = { baseBlob: { delete: { daysAfterCreationGreaterThan: archiveRetentionDays } } }
var recordingsExpiry = { baseBlob: { delete: { daysAfterCreationGreaterThan: recordingsRetentionDays } } }
var exportExpiry = { baseBlob: { delete: { daysAfterCreationGreaterThan: exportVersionRetentionDays } } }
var lifecycleRules = concat(
  archiveRetentionDays > 0
    ? [
        {
          name: 'archive-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['${archiveContainer}/']
            }
            actions: enableVersioning
              ? union(archiveExpiry, { version: { delete: { daysAfterCreationGreaterThan: archiveRetentionDays } } })
              : archiveExpiry
          }
        }
      ]
    : [],
  recordingsRetentionDays > 0
    ? [
        {
          name: 'recordings-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['${recordingsContainer}/']
            }
            actions: enableVersioning
              ? union(recordingsExpiry, { version: { delete: { daysAfterCreationGreaterThan: recordingsRetentionDays } } })
              : recordingsExpiry
          }
        }
      ]
    : [],
  recordingsCoolAfterDays > 0
    ? [
        {
          name: 'recordings-to-cool'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['${recordingsContainer}/']
            }
            actions: {
              baseBlob: {
                tierToCool: {
                  daysAfterCreationGreaterThan: recordingsCoolAfterDays
                }
              }
            }
          }
        }
      ]
    : [],
  // The rebuild removes a replaced version after ATHOS_EXPORT_GRACE; this catches what it cannot (a version left when
  // rebuilds stop). A nightly rebuild keeps the live version younger than a day, so only leftovers are this old.
  // calls/changes/ has no such rule: its files are the export's only copy of changes the feed has since dropped.
  exportVersionRetentionDays > 0
    ? map(exportVersionFolders, folder => {
        name: folder.rule
        enabled: true
        type: 'Lifecycle'
        definition: {
          filters: {
            blobTypes: ['blockBlob']
            prefixMatch: [folder.prefix]
          }
          actions: exportExpiry
        }
      })
    : [],
  // A previous version of an export file is what a rewrite for an erasure (calls/changes/) or a removed version folder
  // left: the export deletes them itself; this is the backstop, whatever the retention parameters say.
  enableVersioning
    ? [
        {
          name: 'exports-previous-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['${exportsContainer}/']
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: 1
                }
              }
            }
          }
        }
      ]
    : []
)

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (!empty(lifecycleRules)) {
  parent: storage
  name: 'default'
  dependsOn: [
    containers
  ]
  properties: {
    policy: {
      rules: lifecycleRules
    }
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
