// Log alerts on what the app really emits (OpenTelemetry → Application Insights → the workspace's AppTraces and
// AppMetrics tables; names in src/Athos.Webhooks/Telemetry/AthosMetrics.cs and the log events of docs/operations.md,
// tied by tests/Athos.Webhooks.Tests/Infra/AlertTests.cs). What each one means and what to do: docs/operations.md,
// "Alerts".
param location string
param tags object
@description('The Log Analytics workspace behind Application Insights: every rule queries it.')
param workspaceId string
param reconcileIntervalMinutes int
@description('Freshness p95 (seconds from Athos scoring a call to its row) above which the freshness alert fires.')
param freshnessP95ThresholdSeconds int
@description('Webhook deliveries answered 401 in 15 minutes (and at least half of all deliveries) that fire the alert.')
param webhookUnauthorizedThreshold int
@description('E-mail address alerted; empty for none (the alerts still show in the portal).')
param alertEmail string
param namePrefix string

// scheduledQueryRules accept only some window sizes: three intervals of 5, 10 or 15 minutes.
var windows = {
  '5': 'PT15M'
  '10': 'PT30M'
  '15': 'PT45M'
}
var reconcileWindow = windows[string(reconcileIntervalMinutes)]
var reconcileWindowKql = '${reconcileIntervalMinutes * 3}m'

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

// The only alert on the absence of a signal. Past the workspace's daily cap nothing is ingested until the cap resets,
// which would look like "no reconcile succeeded": from the cap's OverQuota event (in _LogOperation, which the cap does
// not stop) until the app's telemetry has been arriving again for a whole window, the rule stays silent, and
// "monitoring-capped" below says why the workspace is blind.
var reconcileQuery = format('''
let window = {0};
let cappedAt = toscalar(_LogOperation | where Category =~ "Ingestion" and Detail has "OverQuota" | summarize max(TimeGenerated));
let resumedAt = toscalar(union isfuzzy=true AppTraces, AppMetrics, AppRequests | where TimeGenerated > cappedAt | summarize min(TimeGenerated));
let capped = isnotnull(cappedAt) and (isnull(resumedAt) or resumedAt > ago(window));
union isfuzzy=true (AppTraces | where TimeGenerated > ago(window) | where tostring(Properties.EventId) == "4001" | project TimeGenerated)
| summarize Succeeded = count()
| where Succeeded == 0 and not(capped)
''', reconcileWindowKql)

resource reconcileStalled 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-reconcile-not-succeeding'
  location: location
  tags: tags
  properties: {
    displayName: 'Athos reconcile has not succeeded for three intervals'
    description: 'No "Reconcile succeeded" (event 4001: a succeeded or partial run) in three reconcile intervals: dropped webhooks are not being recovered. Not raised while the workspace is over its daily cap. See docs/operations.md, "Alerts".'
    severity: 2
    enabled: true
    scopes: [workspaceId]
    evaluationFrequency: 'PT${reconcileIntervalMinutes}M'
    windowSize: reconcileWindow
    // The cap's event may be up to a day old.
    overrideQueryTimeRange: 'P1D'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: reconcileQuery
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

resource parked 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-work-items-parked'
  location: location
  tags: tags
  properties: {
    displayName: 'Athos work items parked'
    description: 'Work items exhausted their attempts and were parked in AthosParkedWork (the processor parks them itself; what the host moved to athos-calls-poison is parked too). Their calls are not stored until redriven: fix the cause (often the API key), then `athos-webhooks redrive`. See docs/operations.md, "Alerts".'
    severity: 2
    enabled: true
    scopes: [workspaceId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: '''
AppMetrics
| where Name == "athos.webhooks.parked"
| summarize Parked = sum(Sum) by Reason = tostring(Properties.reason)
| where Parked > 0
'''
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

resource athosRefusing 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-athos-refusing-the-key'
  location: location
  tags: tags
  properties: {
    displayName: 'Athos answers 401/403: the API key, IP or tenant is refused'
    description: 'Athos refused requests with 401 or 403. Every fetch and every reconcile fails until it is fixed: no call is stored. Check ATHOS_API_KEY (rotated or revoked?) and ATHOS_BASE_URL, then redrive what was parked. See docs/operations.md, "Alerts".'
    severity: 1
    enabled: true
    scopes: [workspaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: '''
AppMetrics
| where Name == "athos.webhooks.athos.requests"
| where tostring(Properties.status) in ("401", "403")
| summarize Refused = sum(Sum)
| where Refused > 0
'''
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

// Percentiles from the per-item log event, not the histogram: Azure Monitor keeps only a histogram's sum, count,
// minimum and maximum. Webhook and reconcile items only: a backfill or rescan stores old calls on purpose.
var freshnessQuery = format('''
AppTraces
| where tostring(Properties.EventId) == "3001" and isnotempty(Properties.FreshnessSeconds)
| where tostring(Properties.Origin) in~ ("webhook", "reconcile")
| summarize P95 = percentile(todouble(Properties.FreshnessSeconds), 95), Stored = count()
| where Stored >= 5 and P95 > {0}
''', freshnessP95ThresholdSeconds)

resource freshness 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-freshness-p95'
  location: location
  tags: tags
  properties: {
    displayName: 'Athos calls reach the tables late (freshness p95 above ${freshnessP95ThresholdSeconds} s)'
    description: 'Over the last hour, 95% of the calls stored from webhooks and reconciles took more than the threshold from Athos scoring them to their rows: webhooks are being lost (the reconciler catches up), or the queue is backed up or Athos slow. See docs/operations.md, "Alerts".'
    severity: 3
    enabled: true
    scopes: [workspaceId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: freshnessQuery
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

var unauthorizedQuery = format('''
AppMetrics
| where Name == "athos.webhooks.deliveries"
| summarize Unauthorized = sumif(Sum, tostring(Properties.status) == "401"), Deliveries = sum(Sum)
| where Unauthorized >= {0} and Unauthorized * 2 >= Deliveries
''', webhookUnauthorizedThreshold)

resource unauthorized 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-webhooks-unauthorized'
  location: location
  tags: tags
  properties: {
    displayName: 'Athos webhooks refused as unsigned or wrongly signed (401)'
    description: 'At least ${webhookUnauthorizedThreshold} webhook deliveries in 15 minutes, and at least half of all, were answered 401: after a secret rotation ATHOS_WHSEC does not hold the secret Athos signs with. The reconciler still recovers the calls, later. See docs/operations.md, "Alerts".'
    severity: 2
    enabled: true
    scopes: [workspaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: unauthorizedQuery
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

// _LogOperation is not stopped by the cap: this is how the operator learns that the workspace is blind.
resource capped 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-monitoring-capped'
  location: location
  tags: tags
  properties: {
    displayName: 'The Log Analytics workspace reached its daily cap: Athos telemetry stopped'
    description: 'Ingestion stopped until the cap resets: no alert on Athos telemetry can fire meanwhile (the reconcile alert is held back on purpose). Use `athos-webhooks status` or GET /api/athos/health, and raise logAnalyticsDailyCapGb if it recurs. See docs/deployment.md, "Diagnostics and the workspace cap".'
    severity: 3
    enabled: true
    scopes: [workspaceId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    skipQueryValidation: true
    autoMitigate: false
    criteria: {
      allOf: [
        {
          query: '_LogOperation | where Category =~ "Ingestion" and Detail has "OverQuota"'
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
