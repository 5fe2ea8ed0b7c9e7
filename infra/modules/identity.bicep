// The one user-assigned managed identity the Function App uses for every connection
// (host storage, Event Hubs trigger, tables, dead letters, Logs Ingestion, Application Insights).

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Client id (application id) of the identity, used in `<CONNECTION>__clientId` settings.')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity, used in role assignments.')
output principalId string = identity.properties.principalId
