// The image the container app runs: on the first `azd provision` the app does not exist yet and
// gets a public placeholder; afterwards the image azd last deployed is kept, so re-provisioning
// never rolls the service back to the placeholder.
param exists bool
param name string

var placeholder = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'

resource existingApp 'Microsoft.App/containerApps@2024-03-01' existing = if (exists) {
  name: name
}

output image string = exists ? existingApp!.properties.template.containers[0].image : placeholder
