using 'main.bicep'

// azd sets AZURE_ENV_NAME and AZURE_LOCATION. The Athos secrets come from the environment (azd env set …, or the
// pipeline's secrets), never from a file in the repository, and have no default: with either one unset, this file
// does not build and nothing is deployed, so a redeploy cannot blank a secret (docs/deployment.md, "Secrets").
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'athos-webhooks')
param location = readEnvironmentVariable('AZURE_LOCATION', 'eastus2')
param athosApiKey = readEnvironmentVariable('ATHOS_API_KEY')
param athosWebhookSecret = readEnvironmentVariable('ATHOS_WHSEC')
param athosPreviousWebhookSecret = readEnvironmentVariable('ATHOS_WHSEC_PREVIOUS', '')
param alertEmail = readEnvironmentVariable('ATHOS_ALERT_EMAIL', '')
