#!/usr/bin/env bash
# Creates the app registration entra-mcp runs as, with the Azure CLI (`az login` first, as an
# admin who may create apps and grant consent):
#   - Application ID URI = the server's public URL (ENTRA_MCP_PUBLIC_URL), v2 access tokens
#   - one delegated scope, access_as_user, that MCP clients request; admin consent only, so a
#     user cannot consent some other app into calling the server with their permissions
#   - the delegated Microsoft Graph permissions the chosen toolsets need (no application
#     permissions: the server only ever acts on behalf of a signed-in user), and Azure Service
#     Management's user_impersonation when the posture toolset's diagnostic settings skill is on
#   - pre-authorized MCP clients, since Entra has no dynamic client registration:
#     ENTRA_MCP_ALLOWED_CLIENTS (comma list of application ids; default VS Code's)
# and prints the admin consent URL and the environment the server needs, including
# ENTRA_MCP_ALLOWED_CLIENTS, so the server accepts tokens from these clients only.
#
# usage: [ENTRA_MCP_ALLOWED_CLIENTS=id,id] scripts/setup-app-registration.sh https://entra-mcp.contoso.com [toolsets]
set -euo pipefail

public_url="${1:?usage: $0 PUBLIC_URL [toolsets]}"
toolsets="${2:-default}"
name="${ENTRA_MCP_APP_NAME:-entra-mcp}"
entra_mcp="${ENTRA_MCP_BIN:-entra-mcp}"
# VS Code's first-party client id; list others (the app registrations of Claude or Copilot
# Studio connectors) with it in ENTRA_MCP_ALLOWED_CLIENTS.
vscode_client="aebc6443-996d-45c2-90f0-388ff96faa56"
clients="${ENTRA_MCP_ALLOWED_CLIENTS:-$vscode_client}"

command -v az >/dev/null || { echo "the Azure CLI (az) is required" >&2; exit 1; }
command -v "$entra_mcp" >/dev/null || { echo "$entra_mcp not found: cargo install --path . first" >&2; exit 1; }

tenant_id=$(az account show --query tenantId -o tsv)
required=$("$entra_mcp" permissions --toolsets "$toolsets" --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["requiredResourceAccess"]))')

echo "creating app registration '$name' in tenant $tenant_id" >&2
app_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg \
  --identifier-uris "$public_url" --query appId -o tsv)
object_id=$(az ad app show --id "$app_id" --query id -o tsv)
scope_id=$(python3 -c 'import uuid; print(uuid.uuid4())')

# Checked before anything is created: a typo here would lock the client out later.
clients=$(python3 - "$clients" <<'PY'
import sys, uuid
ids = []
for raw in sys.argv[1].split(","):
    raw = raw.strip()
    if not raw:
        continue
    try:
        ids.append(str(uuid.UUID(raw)))
    except ValueError:
        sys.exit(f"ENTRA_MCP_ALLOWED_CLIENTS: '{raw}' is not an application (client) id")
if not ids:
    sys.exit("ENTRA_MCP_ALLOWED_CLIENTS: no client ids")
print(",".join(dict.fromkeys(ids)))
PY
)

body=$(python3 - "$scope_id" "$clients" "$required" <<'PY'
import json, sys
scope_id, clients, required = sys.argv[1], sys.argv[2].split(","), json.loads(sys.argv[3])
print(json.dumps({
    "api": {
        "requestedAccessTokenVersion": 2,
        "oauth2PermissionScopes": [{
            # Admin: only an administrator can consent an app to this scope. Pre-authorized
            # clients below need no consent; any other app would otherwise get a user's consent
            # and call the server with that user's permissions (a confused deputy).
            "id": scope_id, "value": "access_as_user", "type": "Admin", "isEnabled": True,
            "adminConsentDisplayName": "Use entra-mcp as the signed-in user",
            "adminConsentDescription": "Lets MCP clients call entra-mcp, which reads Microsoft Entra ID with the signed-in user's own access.",
        }],
        "preAuthorizedApplications": [
            {"appId": client, "delegatedPermissionIds": [scope_id]} for client in clients
        ],
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
  ENTRA_MCP_ALLOWED_CLIENTS=$clients
OUT
