// Everything SnapshotService needs in its resource group. Plain resource declarations (no registry
// modules) so `bicep build` works offline.
param location string
param tags object
param resourceToken string
param hostExists bool
param minReplicas int
param maxReplicas int
param jwtAuthority string
param jwtAudience string

@secure()
param mongoConnectionString string
param mongoSourceId string
param sourceSettings object

var abbreviations = loadJsonContent('abbreviations.json')

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    workspaceName: '${abbreviations.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbreviations.insightsComponents}${resourceToken}'
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    tags: tags
    name: '${abbreviations.managedIdentityUserAssignedIdentities}host-${resourceToken}'
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    location: location
    tags: tags
    name: '${abbreviations.containerRegistryRegistries}${resourceToken}'
    pullPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    name: '${abbreviations.storageStorageAccounts}${resourceToken}'
    containerName: 'exports'
    contributorPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: tags
    name: '${abbreviations.keyVaultVaults}${resourceToken}'
    readerPrincipalId: identity.outputs.principalId
    mongoConnectionString: mongoConnectionString
  }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  params: {
    location: location
    tags: tags
    name: '${abbreviations.cacheRedis}${resourceToken}'
    keyVaultName: keyVault.outputs.name
  }
}

module environment 'modules/container-apps-environment.bicep' = {
  name: 'container-apps-environment'
  params: {
    location: location
    tags: tags
    name: '${abbreviations.appManagedEnvironments}${resourceToken}'
    workspaceName: monitoring.outputs.workspaceName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
  }
}

module hostImage 'modules/fetch-container-image.bicep' = {
  name: 'host-image'
  params: {
    exists: hostExists
    name: '${abbreviations.appContainerApps}host-${resourceToken}'
  }
}

module host 'modules/container-app.bicep' = {
  name: 'host'
  params: {
    location: location
    tags: union(tags, { 'azd-service-name': 'host' })
    name: '${abbreviations.appContainerApps}host-${resourceToken}'
    environmentId: environment.outputs.id
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    registryLoginServer: registry.outputs.loginServer
    image: hostImage.outputs.image
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    exportBlobEndpoint: storage.outputs.blobEndpoint
    exportContainer: storage.outputs.containerName
    redisSecretUri: redis.outputs.connectionStringSecretUri
    jwtAuthority: jwtAuthority
    jwtAudience: jwtAudience
    mongoSecretUri: empty(mongoConnectionString) ? '' : keyVault.outputs.mongoSecretUri
    mongoSourceId: mongoSourceId
    sourceSettings: sourceSettings
  }
}

output identityPrincipalId string = identity.outputs.principalId
output registryLoginServer string = registry.outputs.loginServer
output registryName string = registry.outputs.name
output environmentId string = environment.outputs.id
output keyVaultName string = keyVault.outputs.name
output storageAccountName string = storage.outputs.name
output hostName string = host.outputs.name
output hostUri string = host.outputs.uri
output hostImage string = hostImage.outputs.image
