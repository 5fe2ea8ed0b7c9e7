// retina-trace-backend on Azure: agents publish packet-trace batches to Event Hubs; a Function
// App on Flex Consumption decodes, matches and enriches them and writes trace records to Azure
// Table and Log Analytics (RetinaTraces_CL). Identity-based access only: no keys anywhere.
// Deploy (docs/deploy.md): `azd up`; or without azd,
// `az deployment group create -g <rg> -f infra/main.bicep -p environmentName=<name> principalId=<objectId>`
// then `npm ci && npm run build` and `func azure functionapp publish <app>`. main.parameters.json holds
// azd ${VAR} placeholders: it is for azd only. From CI, set principalType=ServicePrincipal
// (azd: AZURE_PRINCIPAL_TYPE).
targetScope = 'resourceGroup'

@description('Environment name (azd AZURE_ENV_NAME); seeds resource names and tags.')
@minLength(1)
@maxLength(32)
param environmentName string

@description('Azure region for every resource: one where Flex Consumption runs (`az functionapp list-flexconsumption-locations`; this list follows the Azure Functions Flex Consumption azd quickstarts).')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string = resourceGroup().location

@description('Principal id of the deploying user or CI identity (azd AZURE_PRINCIPAL_ID); grants read access for `tracectl query`. Empty to skip.')
param principalId string = ''

@description('Principal type of principalId (azd AZURE_PRINCIPAL_TYPE): User for a person, ServicePrincipal when `azd up` runs from CI with a service principal or managed identity.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Principal ids of the agents (e.g. the AKS workload identity) allowed to send trace batches.')
param agentPrincipalIds array = []

@description('OIDC issuer URL of the AKS cluster running deploy/kubernetes; when set, an identity with federated credentials for its service accounts is created and may send to the hub. Empty to skip.')
param aksOidcIssuerUrl string = ''

@description('Principal type of agentPrincipalIds.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param agentPrincipalType string = 'ServicePrincipal'

@description('Event Hubs tier.')
@allowed([
  'Standard'
  'Premium'
])
param eventHubsSku string = 'Standard'

@description('Event Hubs throughput units (Standard) or processing units (Premium).')
@minValue(1)
@maxValue(40)
param eventHubsCapacity int = 1

@description('Standard only: enable auto-inflate of throughput units.')
param eventHubsAutoInflate bool = true

@description('Standard only: auto-inflate ceiling.')
@minValue(1)
@maxValue(40)
param eventHubsMaximumThroughputUnits int = 4

@description('Partitions of the traces hub (upper bound of parallel ingest instances): at least 2 × peak compressed MB/s, since one Standard partition takes at most 1 MB/s; 8 = 2 × the default auto-inflate ceiling of 4 throughput units. One instance keeps up with several saturated partitions (npm run bench:latency). See docs/operations.md.')
@minValue(1)
@maxValue(32)
param partitionCount int = 8

@description('Hours events stay in the hub (the replay window). Standard: at most 168.')
@minValue(1)
@maxValue(168)
param eventRetentionInHours int = 24

@description('Flex Consumption maximum instance count.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Flex Consumption instance memory in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances for the ingest function (0 = scale to zero).')
@minValue(0)
param alwaysReadyInstances int = 0

@description('Plan of the RetinaTraces_CL table.')
@allowed([
  'Analytics'
  'Basic'
])
param tablePlan string = 'Analytics'

@description('Interactive retention of RetinaTraces_CL in days (Analytics plan).')
@minValue(4)
@maxValue(730)
param tableRetentionInDays int = 30

@description('Total retention of RetinaTraces_CL in days.')
@minValue(4)
@maxValue(2556)
param tableTotalRetentionInDays int = 90

@description('Azure Table partitions per TraceConfiguration and hour (nodes are hashed over them): at least the busiest configuration\'s peak records/s ÷ 1,000. See docs/destinations.md.')
@minValue(1)
@maxValue(100)
param tablePartitionShards int = 4

@description('Add the Microsoft Sentinel ASIM streams to the Data Collection Rule (connections with `<NAME>__schema=asim`); needs Microsoft Sentinel on the workspace. See docs/sentinel.md.')
param asimOutput bool = false

@description('OTLP/HTTP endpoint for the default opentelemetry destination; empty for none.')
param openTelemetryEndpoint string = ''

@description('OTLP/HTTP encoding of the default opentelemetry destination: http/json (the app\'s default) or http/protobuf. See docs/destinations.md.')
@allowed([
  'http/json'
  'http/protobuf'
])
param openTelemetryProtocol string = 'http/json'

@description('Public network access for Event Hubs and Storage. Disable only with private endpoints and Flex VNet integration in place.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Retained packets (`retina.sh/retain-packets`) move to the Cool tier after this many days since upload.')
@minValue(1)
param packetRetentionCoolAfterDays int = 3

@description('Retained packets are deleted after this many days whatever their configuration asked for: the longest retention offered.')
@minValue(1)
@maxValue(3650)
param packetRetentionDays int = 30

@description('Shorter retentions a configuration may ask for (`retina.sh/retain-packets: "<n>d"`), each deleted after exactly n days; other values are kept packetRetentionDays.')
param packetRetentionDayOptions array = [
  1
  7
]

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'retina-trace-backend'
}
var names = {
  identity: 'id-retina-${resourceToken}'
  storage: 'stretina${resourceToken}'
  eventHubs: 'evhns-retina-${resourceToken}'
  workspace: 'log-retina-${resourceToken}'
  appInsights: 'appi-retina-${resourceToken}'
  dataCollectionRule: 'dcr-retina-${resourceToken}'
  plan: 'plan-retina-${resourceToken}'
  functionApp: 'func-retina-${resourceToken}'
}
var traceHubName = 'retina-traces'
var consumerGroupName = 'retina-trace-backend'
var tracesTableName = 'RetinaTraces'
var configTableName = 'TraceConfigurations'
var identityTableName = 'TraceIdentities'
var deadLetterContainerName = 'trace-deadletter'
var retentionContainerName = 'trace-retained'
var deploymentContainerName = 'app-package-${resourceToken}'

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
    deadLetterContainerName: deadLetterContainerName
    retentionContainerName: retentionContainerName
    packetRetentionCoolAfterDays: packetRetentionCoolAfterDays
    packetRetentionDays: packetRetentionDays
    packetRetentionDayOptions: packetRetentionDayOptions
    tableNames: [
      tracesTableName
      configTableName
      identityTableName
    ]
    publicNetworkAccess: publicNetworkAccess
  }
}

module eventHubs 'modules/eventHubs.bicep' = {
  name: 'eventHubs'
  params: {
    name: names.eventHubs
    location: location
    tags: tags
    sku: eventHubsSku
    capacity: eventHubsCapacity
    autoInflate: eventHubsAutoInflate
    maximumThroughputUnits: eventHubsMaximumThroughputUnits
    hubName: traceHubName
    partitionCount: partitionCount
    retentionInHours: eventRetentionInHours
    consumerGroupName: consumerGroupName
    publicNetworkAccess: publicNetworkAccess
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    dataCollectionRuleName: names.dataCollectionRule
    tablePlan: tablePlan
    tableRetentionInDays: tableRetentionInDays
    tableTotalRetentionInDays: tableTotalRetentionInDays
    asimOutput: asimOutput
  }
}

module clusterIdentity 'modules/aksWorkloadIdentity.bicep' = if (!empty(aksOidcIssuerUrl)) {
  name: 'clusterIdentity'
  params: {
    name: '${names.identity}-aks'
    location: location
    tags: tags
    oidcIssuerUrl: aksOidcIssuerUrl
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    functionPrincipalId: identity.outputs.principalId
    agentPrincipalIds: empty(aksOidcIssuerUrl) ? agentPrincipalIds : concat(agentPrincipalIds, [clusterIdentity.outputs.principalId])
    agentPrincipalType: agentPrincipalType
    userPrincipalId: principalId
    userPrincipalType: principalType
    eventHubNamespaceName: eventHubs.outputs.namespaceName
    hubName: eventHubs.outputs.hubName
    storageAccountName: storage.outputs.name
    retentionContainerName: storage.outputs.retentionContainerName
    dataCollectionRuleName: monitoring.outputs.dataCollectionRuleName
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyInstances: alwaysReadyInstances
    eventHubFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    traceHubName: eventHubs.outputs.hubName
    traceConsumerGroup: eventHubs.outputs.consumerGroupName
    tracesTableName: tracesTableName
    tablePartitionShards: tablePartitionShards
    configTableName: configTableName
    identityTableName: identityTableName
    deadLetterContainerName: deadLetterContainerName
    retentionContainerName: retentionContainerName
    logsIngestionEndpoint: monitoring.outputs.logsIngestionEndpoint
    dataCollectionRuleImmutableId: monitoring.outputs.dataCollectionRuleImmutableId
    logsIngestionStreamName: monitoring.outputs.streamName
    openTelemetryEndpoint: openTelemetryEndpoint
    openTelemetryProtocol: openTelemetryProtocol
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
  }
  // The host starts as soon as the app exists; grant its roles first so the first trigger
  // listener does not fail with 401/403 while assignments propagate.
  dependsOn: [
    roles
  ]
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
  }
}

@description('Resource group (azd).')
output AZURE_RESOURCE_GROUP string = resourceGroup().name

@description('Function App name (`func azure functionapp publish <name>`).')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Base URL of the TraceConfiguration HTTP API.')
output TRACE_API_URL string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('Event Hubs namespace agents publish to (no keys: agents need Azure Event Hubs Data Sender).')
output EVENTHUB_FULLY_QUALIFIED_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace

@description('Traces hub name.')
output TRACE_HUB_NAME string = eventHubs.outputs.hubName

@description('Table endpoint holding RetinaTraces (read by `tracectl query`).')
output TRACES_AZURETABLE_TABLE_SERVICE_URI string = storage.outputs.tableEndpoint

@description('Logs ingestion endpoint of the Data Collection Rule.')
output TRACES_LOGANALYTICS_ENDPOINT string = monitoring.outputs.logsIngestionEndpoint

@description('Immutable id of the Data Collection Rule.')
output TRACES_LOGANALYTICS_RULE_ID string = monitoring.outputs.dataCollectionRuleImmutableId

@description('Log Analytics workspace holding RetinaTraces_CL.')
output LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.workspaceId

@description('Client id of the cluster components\' identity (AZURE_CLIENT_ID in deploy/kubernetes/config.env); empty without aksOidcIssuerUrl.')
output AKS_WORKLOAD_IDENTITY_CLIENT_ID string = empty(aksOidcIssuerUrl) ? '' : clusterIdentity.outputs.clientId
