// Azure Cache for Redis for Orleans membership and reminders (SnapshotService:Cluster:Mode=Redis).
// TLS only; its connection string goes to Key Vault, never into an output or an app setting.
param location string
param tags object
param name string
param keyVaultName string

resource redis 'Microsoft.Cache/redis@2024-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: { name: 'Standard', family: 'C', capacity: 1 }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    redisConfiguration: {
      'maxmemory-policy': 'noeviction' // membership rows must never be evicted
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource connectionString 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'redis-connection-string'
  properties: {
    // StackExchange.Redis format, as SnapshotService:Cluster:Redis:ConnectionString expects.
    value: '${redis.properties.hostName}:${redis.properties.sslPort},password=${redis.listKeys().primaryKey},ssl=True,abortConnect=False'
  }
}

output connectionStringSecretUri string = connectionString.properties.secretUri
