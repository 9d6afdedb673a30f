#!/usr/bin/env bash
# Stores a secret in the selected azd environment (.azure/<env>/.env, which `azd provision` passes to
# infra/main.bicepparam) without the value ever being a command-line argument, which shell history and process lists
# keep. The value comes from a hidden prompt, or from standard input when that is not a terminal:
#   ./eng/azd-env-secret.sh ATHOS_API_KEY                       # prompts
#   az keyvault secret show … --query value -o tsv | ./eng/azd-env-secret.sh ATHOS_WHSEC_PREVIOUS
# Only shell builtins touch the value. An empty value removes the setting.
set -euo pipefail
name=${1:-}
if [[ ! $name =~ ^[A-Z_][A-Z0-9_]*$ ]]; then
  echo "usage: eng/azd-env-secret.sh NAME   (NAME like ATHOS_API_KEY; the value is read from a prompt or standard input)" >&2
  exit 2
fi

root=${AZD_PROJECT_ROOT:-.}
config="$root/.azure/config.json"
environment=${AZURE_ENV_NAME:-}
if [[ -z $environment && -f $config ]]; then
  [[ $(<"$config") =~ \"defaultEnvironment\"[[:space:]]*:[[:space:]]*\"([^\"]+)\" ]] && environment=${BASH_REMATCH[1]}
fi
if [[ -z $environment || ! -d "$root/.azure/$environment" ]]; then
  echo "No azd environment selected: run 'azd env new <name>' or 'azd env select <name>' in the repository first (or set AZURE_ENV_NAME)." >&2
  exit 2
fi

if [[ -t 0 ]]; then
  IFS= read -rsp "$name (hidden): " value
  echo >&2
else
  IFS= read -r value || true
fi

if [[ $value == *[$'"\\$`']* ]]; then
  echo "$name holds a quote, backslash, \$ or backquote, which .env cannot keep safely; refusing to store it." >&2
  exit 2
fi

file="$root/.azure/$environment/.env"
kept=""
if [[ -f $file ]]; then
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line == "$name="* ]] || kept+="$line"$'\n'
  done <"$file"
fi
[[ -z $value ]] || kept+="$name=\"$value\""$'\n'
umask 077
printf '%s' "$kept" >"$file"
chmod 600 "$file"
if [[ -n $value ]]; then
  echo "$name stored in azd environment $environment." >&2
else
  echo "$name removed from azd environment $environment." >&2
fi
