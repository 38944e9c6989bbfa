// Grants the host's identity the Cosmos DB Built-in Data Reader role on a source account
// (data plane: read items and the change feed), deployed into the account's resource group.
param accountName string
param principalId string

var dataReaderRoleId = '00000000-0000-0000-0000-000000000001'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' existing = {
  name: accountName
}

resource reader 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, principalId, dataReaderRoleId)
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataReaderRoleId}'
    scope: account.id
  }
}
