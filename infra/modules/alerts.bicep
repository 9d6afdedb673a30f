// Log-based alerts: the reconciler has not succeeded for three intervals; work items reached the poison queue.
param location string
param tags object
param applicationInsightsId string
param reconcileIntervalMinutes int
@description('E-mail address alerted; empty for none (the alerts still show in the portal).')
param alertEmail string
param namePrefix string

// scheduledQueryRules accept only some window sizes: three intervals of 5, 10 or 15 minutes.
var windows = {
  '5': 'PT15M'
  '10': 'PT30M'
  '15': 'PT45M'
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: '${namePrefix}-alerts'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'athoswh'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = empty(alertEmail) ? {} : { actionGroups: [actionGroup.id] }

resource reconcileStalled 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-reconcile-not-succeeding'
  location: location
  tags: tags
  properties: {
    displayName: 'Athos reconcile has not succeeded for three intervals'
    description: 'No "Reconcile succeeded" (event 4001) in three reconcile intervals: dropped webhooks are not being recovered. See docs/operations.md.'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT${reconcileIntervalMinutes}M'
    windowSize: windows[string(reconcileIntervalMinutes)]
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'traces | where customDimensions.EventId == "4001" or message startswith "Reconcile succeeded"'
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

resource poisoned 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-work-items-poisoned'
  location: location
  tags: tags
  properties: {
    displayName: 'Athos work items moved to athos-calls-poison'
    description: 'A work item failed five times and was moved to athos-calls-poison. Fix the cause (often the API key), then run `athos-webhooks redrive`. See docs/operations.md.'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'traces | where message has "athos-calls-poison" and (message has "Moving message" or customDimensions.EventId == "5003")'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}
