// The Azure Monitor workbook "Athos.Webhooks": deliveries by outcome, freshness percentiles, calls recovered by the
// reconciler per day, Athos errors by status and code, parked items. Its queries read the same names as the alerts
// (tests/Athos.Webhooks.Tests/Infra/AlertTests.cs checks both against the code).
param location string
param tags object
@description('The Log Analytics workspace behind Application Insights, which the workbook reads.')
param workspaceId string
param namePrefix string

var content = union(loadJsonContent('workbook.json'), {
  fallbackResourceIds: [workspaceId]
})

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; stable per deployment, so a redeploy updates it.
  name: guid(resourceGroup().id, namePrefix, 'athos-webhooks-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Athos.Webhooks (${namePrefix})'
    category: 'workbook'
    sourceId: workspaceId
    serializedData: string(content)
  }
}

output id string = workbook.id
