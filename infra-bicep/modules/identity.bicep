// The one identity the function app uses for storage, Service Bus, Key Vault and App Insights.
// User-assigned so role assignments exist before the app does and survive app re-creation.

import { resourceTags } from 'types.bicep'

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags resourceTags

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output resourceId string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
