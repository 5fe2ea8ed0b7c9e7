// The Event Hubs namespace agents publish to, the traces hub (trace batches and identity
// snapshots share it, docs/wire-format.md) and the ingest function's own consumer group.
// Standard or above: Basic caps events at 256 KB and allows only `$Default`.

@description('Namespace name (6-50 characters).')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the namespace.')
param tags object = {}

@description('Namespace tier. Standard: 1 MB events, 20 consumer groups, 7 days retention.')
@allowed([
  'Standard'
  'Premium'
])
param sku string = 'Standard'

@description('Throughput units (Standard) or processing units (Premium). 1 TU = 1 MB/s or 1,000 events/s ingress.')
@minValue(1)
@maxValue(40)
param capacity int = 1

@description('Standard only: let Event Hubs raise throughput units under load, up to maximumThroughputUnits.')
param autoInflate bool = true

@description('Standard only: ceiling for auto-inflate.')
@minValue(1)
@maxValue(40)
param maximumThroughputUnits int = 4

@description('Name of the traces hub.')
param hubName string

@description('Partitions of the traces hub: the upper bound of concurrent ingest instances. Cannot be lowered later (Standard).')
@minValue(1)
@maxValue(32)
param partitionCount int = 8

@description('Hours an event stays readable (replay window). Standard: at most 168.')
@minValue(1)
@maxValue(2160)
param retentionInHours int = 24

@description('Consumer group of the ingest function.')
param consumerGroupName string

@description('Whether the namespace accepts traffic from public networks.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

var standard = sku == 'Standard'

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
    capacity: capacity
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
    isAutoInflateEnabled: standard && autoInflate
    maximumThroughputUnits: standard && autoInflate ? maximumThroughputUnits : 0
    kafkaEnabled: false
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionInHours
    }
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: consumerGroupName
  properties: {
    userMetadata: 'retina-trace-backend ingest function'
  }
}

@description('Namespace name.')
output namespaceName string = namespace.name

@description('Fully qualified namespace, e.g. `evhns-x.servicebus.windows.net`.')
// serviceBusEndpoint is `https://<ns>.servicebus.windows.net:443/`: the host is the third '/'-separated
// part. (Splitting on '//' would say the same, but tree-sitter-bicep reads a '//' string as a comment.)
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]

@description('Traces hub name.')
output hubName string = hub.name

@description('Consumer group name.')
output consumerGroupName string = consumerGroup.name
