// Log Analytics workspace, the custom table RetinaTraces_CL, the Data Collection Rule the
// loganalytics destination sends to (kind Direct: the rule has its own logs ingestion endpoint,
// no Data Collection Endpoint needed), and workspace-based Application Insights.
// Table and stream columns come from traceColumns.json, generated from TRACE_RECORD_COLUMNS.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object = {}

@description('Log Analytics workspace name.')
param workspaceName string

@description('Application Insights name.')
param appInsightsName string

@description('Data Collection Rule name.')
param dataCollectionRuleName string

@description('Workspace default retention in days (applies to the host telemetry tables).')
@minValue(30)
@maxValue(730)
param workspaceRetentionInDays int = 30

@description('Plan of RetinaTraces_CL: Analytics (full KQL, alerts, query included) or Basic (cheaper ingestion, queries billed per GB scanned). See docs/operations.md.')
@allowed([
  'Analytics'
  'Basic'
])
param tablePlan string = 'Analytics'

@description('Interactive retention of RetinaTraces_CL in days (Analytics plan only; Basic has a fixed interactive period).')
@minValue(4)
@maxValue(730)
param tableRetentionInDays int = 30

@description('Total retention of RetinaTraces_CL in days, including long-term retention.')
@minValue(4)
@maxValue(2556)
param tableTotalRetentionInDays int = 90

@description('Also write Microsoft Sentinel ASIM tables (ASimNetworkSessionLogs, ASimDnsActivityLogs, ASimWebSessionLogs) through this rule, for connections with `<NAME>__schema=asim`. The workspace must have Microsoft Sentinel enabled (the tables come with it). See docs/sentinel.md.')
param asimOutput bool = false

var tableName = 'RetinaTraces_CL'
var streamName = 'Custom-RetinaTraces_CL'
var traceColumns = loadJsonContent('traceColumns.json')
// ASIM input streams (Custom-ASim...) → the ASIM tables' output streams (Microsoft-ASim...).
// Rows are already in the tables' column names and types, so the transform passes them through.
var asimColumns = loadJsonContent('asimColumns.json')
var asimStreamDeclarations = {
  '${asimColumns.networkSession.streamName}': {
    columns: asimColumns.networkSession.columns
  }
  '${asimColumns.dnsActivity.streamName}': {
    columns: asimColumns.dnsActivity.columns
  }
  '${asimColumns.webSession.streamName}': {
    columns: asimColumns.webSession.columns
  }
}
var asimDataFlows = [
  {
    streams: [
      asimColumns.networkSession.streamName
    ]
    destinations: [
      'tracesWorkspace'
    ]
    transformKql: 'source'
    outputStream: asimColumns.networkSession.outputStream
  }
  {
    streams: [
      asimColumns.dnsActivity.streamName
    ]
    destinations: [
      'tracesWorkspace'
    ]
    transformKql: 'source'
    outputStream: asimColumns.dnsActivity.outputStream
  }
  {
    streams: [
      asimColumns.webSession.streamName
    ]
    destinations: [
      'tracesWorkspace'
    ]
    transformKql: 'source'
    outputStream: asimColumns.webSession.outputStream
  }
]
var tableProperties = {
  plan: tablePlan
  totalRetentionInDays: tableTotalRetentionInDays
  schema: {
    name: tableName
    description: 'Retina packet-trace records, schema v1 (docs/operations.md).'
    columns: traceColumns.tableColumns
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: workspaceRetentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource table 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = {
  parent: workspace
  name: tableName
  properties: union(tableProperties, tablePlan == 'Analytics' ? { retentionInDays: tableRetentionInDays } : {})
}

resource dataCollectionRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: dataCollectionRuleName
  location: location
  tags: tags
  kind: 'Direct'
  properties: {
    description: 'Trace records from the retina-trace-backend loganalytics destination into RetinaTraces_CL.'
    streamDeclarations: union({
      '${streamName}': {
        columns: traceColumns.streamColumns
      }
    }, asimOutput ? asimStreamDeclarations : {})
    destinations: {
      logAnalytics: [
        {
          name: 'tracesWorkspace'
          workspaceResourceId: workspace.id
        }
      ]
    }
    dataFlows: concat([
      {
        streams: [
          streamName
        ]
        destinations: [
          'tracesWorkspace'
        ]
        transformKql: 'source'
        outputStream: streamName
      }
    ], asimOutput ? asimDataFlows : [])
  }
  dependsOn: [
    table
  ]
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

@description('Workspace resource id.')
output workspaceId string = workspace.id

@description('Workspace name.')
output workspaceName string = workspace.name

@description('Data Collection Rule name.')
output dataCollectionRuleName string = dataCollectionRule.name

@description('Logs ingestion endpoint of the rule (TRACES_LOGANALYTICS__endpoint).')
output logsIngestionEndpoint string = dataCollectionRule.properties.endpoints.logsIngestion

@description('Immutable id of the rule (TRACES_LOGANALYTICS__ruleId).')
output dataCollectionRuleImmutableId string = dataCollectionRule.properties.immutableId

@description('Input stream name (TRACES_LOGANALYTICS__streamName).')
output streamName string = streamName

@description('Application Insights name.')
output appInsightsName string = appInsights.name

@description('Application Insights connection string (identifies the resource; not a credential once local auth is disabled).')
output appInsightsConnectionString string = appInsights.properties.ConnectionString
