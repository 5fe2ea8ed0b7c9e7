// The Function App on Flex Consumption (FC1, Linux, Node 22) with a user-assigned identity and
// identity-based connections only. The app settings the app reads are listed once, in
// `appSettings` below, and mirrored by APP_SETTING_NAMES in shared/settings/appSettingNames.ts
// (test/infra/appSettings.test.ts keeps them equal). Legacy settings that Flex rejects
// (FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE, ...) are
// deliberately absent: the runtime is declared in functionAppConfig.

@description('Function App name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app (the app also gets the azd service tag).')
param tags object = {}

@description('Name of the azd service this app hosts (azure.yaml).')
param azdServiceName string = 'api'

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Storage account of the host, tables and dead letters.')
param storageAccountName string

@description('Blob endpoint of that account (with trailing slash).')
param blobEndpoint string

@description('Table endpoint of that account (with trailing slash).')
param tableEndpoint string

@description('Container holding the deployment package.')
param deploymentContainerName string

@description('Maximum instances the app scales out to (40-1000). Keep at or above the hub partition count.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance in MB; CPU scales with it.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances of the ingest function (0 = scale to zero; cold start on the first batch).')
@minValue(0)
param alwaysReadyInstances int = 0

@description('Name of the Event Hubs triggered function, used for its always-ready group `function:<name>`.')
param ingestFunctionName string = 'ingestTraces'

@description('Fully qualified Event Hubs namespace.')
param eventHubFullyQualifiedNamespace string

@description('Traces hub name.')
param traceHubName string

@description('Consumer group of the ingest function.')
param traceConsumerGroup string

@description('Table of the default azuretable destination.')
param tracesTableName string

@description('Partitions per TraceConfiguration and hour of the traces table (TRACES_AZURETABLE__partitionShards).')
@minValue(1)
@maxValue(100)
param tablePartitionShards int = 4

@description('Table holding TraceConfigurations.')
param configTableName string

@description('Table holding identity tables.')
param identityTableName string

@description('Dead-letter container.')
param deadLetterContainerName string

@description('Container of retained packets (`retina.sh/retain-packets`).')
param retentionContainerName string

@description('Logs ingestion endpoint of the Data Collection Rule.')
param logsIngestionEndpoint string

@description('Immutable id of the Data Collection Rule.')
param dataCollectionRuleImmutableId string

@description('Input stream of the Data Collection Rule.')
param logsIngestionStreamName string

@description('OTLP/HTTP endpoint of the default opentelemetry destination; empty for none.')
param openTelemetryEndpoint string = ''

@description('OTLP/HTTP encoding of the default opentelemetry destination (http/json or http/protobuf).')
@allowed([
  'http/json'
  'http/protobuf'
])
param openTelemetryProtocol string = 'http/json'

@description('Application Insights connection string.')
param appInsightsConnectionString string

// app-settings:begin
var baseAppSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  EventHubConnection__fullyQualifiedNamespace: eventHubFullyQualifiedNamespace
  EventHubConnection__credential: 'managedidentity'
  EventHubConnection__clientId: identityClientId
  TRACE_HUB_NAME: traceHubName
  TRACE_CONSUMER_GROUP: traceConsumerGroup
  AZURE_CLIENT_ID: identityClientId
  TRACES_AZURETABLE__tableServiceUri: tableEndpoint
  TRACES_AZURETABLE__tableName: tracesTableName
  TRACES_AZURETABLE__clientId: identityClientId
  TRACES_AZURETABLE__partitionShards: string(tablePartitionShards)
  TRACES_LOGANALYTICS__endpoint: logsIngestionEndpoint
  TRACES_LOGANALYTICS__ruleId: dataCollectionRuleImmutableId
  TRACES_LOGANALYTICS__streamName: logsIngestionStreamName
  TRACES_LOGANALYTICS__clientId: identityClientId
  CONFIG_STORE__tableServiceUri: tableEndpoint
  CONFIG_STORE__tableName: configTableName
  CONFIG_STORE__clientId: identityClientId
  IDENTITY_STORE__tableServiceUri: tableEndpoint
  IDENTITY_STORE__tableName: identityTableName
  IDENTITY_STORE__clientId: identityClientId
  DEADLETTER__blobServiceUri: blobEndpoint
  DEADLETTER__containerName: deadLetterContainerName
  DEADLETTER__clientId: identityClientId
  RETENTION__blobServiceUri: blobEndpoint
  RETENTION__containerName: retentionContainerName
  RETENTION__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}
var optionalAppSettings = empty(openTelemetryEndpoint) ? {} : {
  TRACES_OPENTELEMETRY__endpoint: openTelemetryEndpoint
  TRACES_OPENTELEMETRY__protocol: openTelemetryProtocol
}
var appSettings = union(baseAppSettings, optionalAppSettings)
// app-settings:end

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyInstances > 0 ? [
          {
            name: 'function:${ingestFunctionName}'
            instanceCount: alwaysReadyInstances
          }
        ] : []
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// Publishing with basic (user/password) credentials is off; azd and `func publish` use Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

@description('Function App name.')
output name string = site.name

@description('Default host name of the app (HTTP API base: https://<host>/api).')
output defaultHostName string = site.properties.defaultHostName
