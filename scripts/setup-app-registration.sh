#!/usr/bin/env bash
# Creates the app registration entra-mcp runs as, with the Azure CLI (`az login` first, as an
# admin who may create apps and grant consent):
#   - Application ID URI = the server's public URL (ENTRA_MCP_PUBLIC_URL), v2 access tokens
#   - one delegated scope, access_as_user, that MCP clients request
#   - the delegated Microsoft Graph permissions the chosen toolsets need (no application
#     permissions: the server only ever acts on behalf of a signed-in user)
#   - pre-authorized MCP clients (VS Code), since Entra has no dynamic client registration
# and prints the admin consent URL and the environment the server needs.
#
# usage: scripts/setup-app-registration.sh https://entra-mcp.contoso.com [toolsets]
set -euo pipefail

public_url="${1:?usage: $0 PUBLIC_URL [toolsets]}"
toolsets="${2:-default}"
name="${ENTRA_MCP_APP_NAME:-entra-mcp}"
entra_mcp="${ENTRA_MCP_BIN:-entra-mcp}"
# VS Code's first-party client id; add others (Claude, Copilot Studio connectors) the same way.
vscode_client="aebc6443-996d-45c2-90f0-388ff96faa56"

command -v az >/dev/null || { echo "the Azure CLI (az) is required" >&2; exit 1; }
command -v "$entra_mcp" >/dev/null || { echo "$entra_mcp not found: cargo install --path . first" >&2; exit 1; }

tenant_id=$(az account show --query tenantId -o tsv)
required=$("$entra_mcp" permissions --toolsets "$toolsets" --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["requiredResourceAccess"]))')

echo "creating app registration '$name' in tenant $tenant_id" >&2
app_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg \
  --identifier-uris "$public_url" --query appId -o tsv)
object_id=$(az ad app show --id "$app_id" --query id -o tsv)
scope_id=$(python3 -c 'import uuid; print(uuid.uuid4())')

body=$(python3 - "$scope_id" "$vscode_client" "$required" <<'PY'
import json, sys
scope_id, vscode, required = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
print(json.dumps({
    "api": {
        "requestedAccessTokenVersion": 2,
        "oauth2PermissionScopes": [{
            "id": scope_id, "value": "access_as_user", "type": "User", "isEnabled": True,
            "adminConsentDisplayName": "Use entra-mcp as the signed-in user",
            "adminConsentDescription": "Lets MCP clients call entra-mcp, which reads Microsoft Entra ID with the signed-in user's own access.",
            "userConsentDisplayName": "Use entra-mcp as you",
            "userConsentDescription": "Lets MCP clients call entra-mcp with your own access.",
        }],
        "preAuthorizedApplications": [{"appId": vscode, "delegatedPermissionIds": [scope_id]}],
    },
    "requiredResourceAccess": required,
}))
PY
)
az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
  --headers "Content-Type=application/json" --body "$body" >/dev/null
az ad sp create --id "$app_id" >/dev/null

cat <<OUT
App registration created.
  grant admin consent: https://login.microsoftonline.com/$tenant_id/adminconsent?client_id=$app_id
  then add a credential: a certificate (az ad app credential reset --id $app_id --create-cert),
  a federated credential for workload or managed identity, or a client secret.

Server environment:
  AZURE_TENANT_ID=$tenant_id
  AZURE_CLIENT_ID=$app_id
  ENTRA_MCP_PUBLIC_URL=$public_url
OUT
