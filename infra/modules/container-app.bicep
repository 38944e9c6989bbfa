// The host: every replica is an Orleans silo (Redis membership) serving gRPC + JSON/HTTP.
//
// Ports (docs/operations.md, "Deploy with azd"):
// - 8081 gRPC (HTTP/2 cleartext in the container) is the ingress target. The ingress speaks
//   HTTP/2 to the container (transport http2) and accepts HTTPS from clients with HTTP/2 (gRPC)
//   or HTTP/1.1 (the JSON routes, /ui), so one public endpoint serves both.
// - 8080 HTTP/1.1: health probes (/healthz, /readyz) and /metrics, inside the environment only.
// - 11111 silo-to-silo and 30000 gateway: replicas talk to each other directly on their own IPs
//   inside the environment (Orleans advertises each replica's IP); the internal port mappings
//   below document them and expose nothing publicly.
param location string
param tags object
param name string
param environmentId string
param identityId string
param identityClientId string
param registryLoginServer string
param image string
param minReplicas int
param maxReplicas int
param exportBlobEndpoint string
param exportContainer string
param redisSecretUri string
param jwtAuthority string
param jwtAudience string
@description('Key Vault URI of the MongoDB connection string, or empty.')
param mongoSecretUri string
param mongoSourceId string
param sourceSettings object

// Source definitions are the deployment's own: plain settings from the sourceSettings parameter,
// and the MongoDB connection string only as a Key Vault reference.
var sourceEnvironment = [for setting in items(sourceSettings): { name: setting.key, value: string(setting.value) }]
var mongoSecrets = empty(mongoSecretUri) ? [] : [{ name: 'mongo-connection-string', keyVaultUrl: mongoSecretUri, identity: identityId }]
var mongoEnvironment = empty(mongoSecretUri) ? [] : [{ name: 'SnapshotService__Sources__${mongoSourceId}__Mongo__ConnectionString', secretRef: 'mongo-connection-string' }]

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    managedEnvironmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 8081
        transport: 'http2'
        allowInsecure: false
        additionalPortMappings: [
          { external: false, targetPort: 8080 }
          { external: false, targetPort: 11111 }
          { external: false, targetPort: 30000 }
        ]
      }
      registries: [
        { server: registryLoginServer, identity: identityId }
      ]
      secrets: concat([
        { name: 'redis-connection-string', keyVaultUrl: redisSecretUri, identity: identityId }
      ], mongoSecrets)
    }
    template: {
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
      containers: [
        {
          name: 'host'
          image: image
          resources: { cpu: json('1.0'), memory: '2Gi' }
          env: concat([
            { name: 'AZURE_CLIENT_ID', value: identityClientId }
            { name: 'SnapshotService__Cluster__Mode', value: 'Redis' }
            { name: 'SnapshotService__Cluster__ClusterId', value: name }
            { name: 'SnapshotService__Cluster__Redis__ConnectionString', secretRef: 'redis-connection-string' }
            { name: 'SnapshotService__Export__Kind', value: 'AzureBlob' }
            { name: 'SnapshotService__Export__AzureBlob__ServiceUri', value: exportBlobEndpoint }
            { name: 'SnapshotService__Export__AzureBlob__ManagedIdentityClientId', value: identityClientId }
            { name: 'SnapshotService__Export__AzureBlob__Container', value: exportContainer }
            { name: 'SnapshotService__Auth__Mode', value: 'Jwt' }
            { name: 'SnapshotService__Auth__Jwt__Authority', value: jwtAuthority }
            { name: 'SnapshotService__Auth__Jwt__Audience', value: jwtAudience }
          ], sourceEnvironment, mongoEnvironment)
          probes: [
            {
              type: 'Liveness'
              httpGet: { path: '/healthz', port: 8080 }
              periodSeconds: 10
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: { path: '/readyz', port: 8080 }
              periodSeconds: 10
              failureThreshold: 3
            }
            {
              type: 'Startup'
              httpGet: { path: '/healthz', port: 8080 }
              periodSeconds: 5
              failureThreshold: 24
            }
          ]
        }
      ]
    }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
