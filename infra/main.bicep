// SnapshotService on Azure Container Apps, provisioned by `azd up` (see docs/operations.md, "Deploy with azd").
// Subscription scope: creates the resource group, then everything else in it (resources.bicep).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used in resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Object id of the user or service principal running azd; gets no data-plane roles, kept for azd compatibility.')
param principalId string = ''

@description('True when the container app exists already (azd sets it): keep its current image instead of the placeholder.')
param hostExists bool = false

@minValue(1)
@description('Replicas (Orleans silos) that always run. Two or more for failover.')
param minReplicas int = 2

@minValue(1)
@description('Most replicas the app scales out to.')
param maxReplicas int = 4

@description('Entra ID authority that issues API tokens, e.g. https://login.microsoftonline.com/{tenant}/v2.0.')
param jwtAuthority string

@description('Audience (application ID URI or client id) API tokens must carry.')
param jwtAudience string

@description('Optional: an existing Cosmos DB account the service captures from; its identity gets the data-plane reader role.')
param cosmosAccountName string = ''

@description('Resource group of cosmosAccountName (default: the environment\'s resource group).')
param cosmosAccountResourceGroup string = ''

@secure()
@description('Optional: a MongoDB connection string, stored in Key Vault (secret mongo-connection-string) and given to source mongoSourceId.')
param mongoConnectionString string = ''

@description('The source id (SnapshotService:Sources:{id}) that receives mongoConnectionString.')
param mongoSourceId string = 'mongo'

@description('Plain (non-secret) source settings as environment variable names and values, e.g. { "SnapshotService__Sources__orders__Kind": "mongodb" }.')
param sourceSettings object = {}

var abbreviations = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbreviations.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'resources'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    hostExists: hostExists
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    jwtAuthority: jwtAuthority
    jwtAudience: jwtAudience
    mongoConnectionString: mongoConnectionString
    mongoSourceId: mongoSourceId
    sourceSettings: sourceSettings
  }
}

module cosmosReader 'modules/cosmos-reader.bicep' = if (!empty(cosmosAccountName)) {
  name: 'cosmos-reader'
  scope: az.resourceGroup(empty(cosmosAccountResourceGroup) ? resourceGroup.name : cosmosAccountResourceGroup)
  params: {
    accountName: cosmosAccountName
    principalId: resources.outputs.identityPrincipalId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_PRINCIPAL_ID string = principalId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = resources.outputs.registryLoginServer
output AZURE_CONTAINER_REGISTRY_NAME string = resources.outputs.registryName
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = resources.outputs.environmentId
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output SERVICE_HOST_NAME string = resources.outputs.hostName
output SERVICE_HOST_URI string = resources.outputs.hostUri
output SERVICE_HOST_IMAGE_NAME string = resources.outputs.hostImage
