// The host's user-assigned identity: pulls the image, reads Key Vault secrets, writes exports,
// reads Cosmos DB sources. No keys anywhere.
param location string
param tags object
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
