// One storage account for the Functions host (checkpoints, leases), the Flex deployment package,
// the trace/configuration/identity tables and the dead-letter container. Shared-key access is
// disabled: every client authenticates with Entra ID.

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the account.')
param tags object = {}

@description('Container holding the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Container receiving dead-lettered records and rejected events.')
param deadLetterContainerName string

@description('Container of retained packets (`retina.sh/retain-packets`), under a lifecycle management policy.')
param retentionContainerName string

@description('Retained packets move to the Cool tier after this many days since upload.')
@minValue(1)
param packetRetentionCoolAfterDays int

@description('Retained packets are deleted after this many days (the longest retention offered).')
@minValue(1)
param packetRetentionDays int

@description('Shorter retentions offered to configurations: blobs tagged retainDays=<n> are deleted after n days.')
param packetRetentionDayOptions array

@description('Tables to create: trace records, TraceConfigurations, identity tables.')
param tableNames array

@description('Whether the storage endpoints accept traffic from public networks.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource retentionContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: retentionContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Lifecycle of retained packets: Cool after packetRetentionCoolAfterDays, deleted after the
// retention their configuration asked for (blob index tag retainDays, written by the app) or, at
// the latest, after packetRetentionDays. Rules match only this container's retained/ prefix.
resource lifecyclePolicy 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: concat(
        [
          {
            name: 'retained-packets-cool'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${retentionContainerName}/retained/'
                ]
              }
              actions: {
                baseBlob: {
                  tierToCool: {
                    daysAfterModificationGreaterThan: packetRetentionCoolAfterDays
                  }
                  delete: {
                    daysAfterModificationGreaterThan: packetRetentionDays
                  }
                }
              }
            }
          }
        ],
        map(packetRetentionDayOptions, days => {
          name: 'retained-packets-delete-${days}d'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${retentionContainerName}/retained/'
              ]
              blobIndexMatch: [
                {
                  name: 'retainDays'
                  op: '=='
                  value: string(days)
                }
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: days
                }
              }
            }
          }
        })
      )
    }
  }
  dependsOn: [
    retentionContainer
  ]
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

@description('Storage account name.')
output name string = account.name

@description('Blob endpoint, e.g. `https://st.blob.core.windows.net/` (with trailing slash).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Container of retained packets.')
output retentionContainerName string = retentionContainer.name

@description('Table endpoint, e.g. `https://st.table.core.windows.net/` (with trailing slash).')
output tableEndpoint string = account.properties.primaryEndpoints.table
