// Least-privilege role assignments, each at the narrowest scope that works:
//   function identity: Event Hubs Data Receiver (traces hub), Storage Blob Data Owner (host
//   storage: checkpoints, leases, deployment package, dead letters), Storage Table Data
//   Contributor (trace, configuration and identity tables), Monitoring Metrics Publisher (the
//   DCR for Logs Ingestion; Application Insights for Entra-authenticated telemetry).
//   agents' identities: Event Hubs Data Sender (traces hub) only.
//   function identity, retained packets: Storage Blob Data Contributor on the retention
//   container only (scoped so the grant survives if the account-wide Owner role above is
//   narrowed to the host's own containers).
//   deploying user or CI principal (optional): Table Data Reader and Blob Data Reader, for
//   `tracectl query`.

@description('Principal id of the Function App identity.')
param functionPrincipalId string

@description('Principal ids of the agents publishing trace batches (e.g. the AKS kubelet or workload identity).')
param agentPrincipalIds array = []

@description('Principal type of the agent identities.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param agentPrincipalType string = 'ServicePrincipal'

@description('Principal id of the deploying user; empty to skip the read roles for `tracectl query`.')
param userPrincipalId string = ''

@description('Principal type of userPrincipalId: User, or ServicePrincipal when deploying from CI.')
@allowed([
  'User'
  'ServicePrincipal'
])
param userPrincipalType string = 'User'

@description('Event Hubs namespace name.')
param eventHubNamespaceName string

@description('Traces hub name.')
param hubName string

@description('Storage account name.')
param storageAccountName string

@description('Container of retained packets (`retina.sh/retain-packets`).')
param retentionContainerName string

@description('Data Collection Rule name.')
param dataCollectionRuleName string

@description('Application Insights name.')
param appInsightsName string

// Built-in role definition ids; each comment names the role as Azure does (checked by
// test/infra/bicepTypes.test.ts against tools/bicep/builtInRoles.ts).
var roles = {
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde' // Azure Event Hubs Data Receiver
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975' // Azure Event Hubs Data Sender
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1' // Storage Blob Data Reader
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6' // Storage Table Data Reader
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubNamespaceName
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: namespace
  name: hubName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource retentionContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: retentionContainerName
}

resource dataCollectionRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' existing = {
  name: dataCollectionRuleName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource functionReceivesEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hub
  name: guid(hub.id, functionPrincipalId, roles.eventHubsDataReceiver)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource functionOwnsBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, functionPrincipalId, roles.storageBlobDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource functionRetainsPackets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: retentionContainer
  name: guid(retentionContainer.id, functionPrincipalId, roles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource functionWritesTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, functionPrincipalId, roles.storageTableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource functionPublishesLogs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: dataCollectionRule
  name: guid(dataCollectionRule.id, functionPrincipalId, roles.monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource functionPublishesTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: appInsights
  name: guid(appInsights.id, functionPrincipalId, roles.monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource agentsSendEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for agentPrincipalId in agentPrincipalIds: {
    scope: hub
    name: guid(hub.id, agentPrincipalId, roles.eventHubsDataSender)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataSender)
      principalId: agentPrincipalId
      principalType: agentPrincipalType
    }
  }
]

resource userReadsTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  scope: storage
  name: guid(storage.id, userPrincipalId, roles.storageTableDataReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

resource userReadsBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  scope: storage
  name: guid(storage.id, userPrincipalId, roles.storageBlobDataReader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}
