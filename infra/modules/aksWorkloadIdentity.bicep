// The identity of the in-cluster components (deploy/kubernetes): a user-assigned identity of its
// own, separate from the Function App's, trusted through AKS workload identity for the
// controller's and the agent's service accounts. No secret ever reaches the cluster. Its only
// role, Event Hubs Data Sender on the traces hub, is granted in roles.bicep.

@description('Name of the cluster components\' user-assigned identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the identity.')
param tags object = {}

@description('OIDC issuer URL of the AKS cluster (`az aks show -n <cluster> -g <rg> --query oidcIssuerProfile.issuerUrl -o tsv`).')
param oidcIssuerUrl string

@description('Namespace the components run in (deploy/kubernetes/kustomization.yaml).')
param namespace string = 'retina-system'

@description('Service accounts trusted: the controller and the agent.')
param serviceAccounts array = [
  'retina-trace-controller'
  'retina-trace-agent'
]

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

// One credential at a time: Azure rejects concurrent writes of credentials on one identity.
@batchSize(1)
resource credentials 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [
  for account in serviceAccounts: {
    parent: identity
    name: account
    properties: {
      issuer: oidcIssuerUrl
      subject: 'system:serviceaccount:${namespace}:${account}'
      audiences: [
        'api://AzureADTokenExchange'
      ]
    }
  }
]

@description('Client id: AZURE_CLIENT_ID in deploy/kubernetes/config.env.')
output clientId string = identity.properties.clientId

@description('Object (principal) id, for the Data Sender role assignment.')
output principalId string = identity.properties.principalId
