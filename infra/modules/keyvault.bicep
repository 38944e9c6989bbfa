// Key Vault (RBAC) for the secrets that remain: the Redis connection string (written by
// redis.bicep) and, optionally, a MongoDB connection string. The host reads them through
// Container Apps secret references with its identity (Key Vault Secrets User).
param location string
param tags object
param name string
param readerPrincipalId string

@secure()
param mongoConnectionString string

var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, secretsUserRoleId)
  scope: vault
  properties: {
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
  }
}

resource mongoSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(mongoConnectionString)) {
  parent: vault
  name: 'mongo-connection-string'
  properties: {
    value: mongoConnectionString
  }
}

output name string = vault.name
// Where the MongoDB secret lives (it exists only when a connection string was given; resources.bicep decides).
output mongoSecretUri string = '${vault.properties.vaultUri}secrets/mongo-connection-string'
