#!/usr/bin/env bash
# Publishes the bundled policies as signed OCI artifacts: build each to a
# component, run its case file against the component, push it under its
# version and under a moving tag, sign it, and verify the signature as the
# gate will. The GitHub workflow (publish-policies.yml) runs this script;
# host/tests/ci_example.rs runs it against a local registry.
#
# Environment:
#   REGISTRY      host[:port] of the registry (Harbor: harbor.example.com)   required
#   NAMESPACE     the project/namespace the policies go in                   default clawlaw
#   TAG           the moving tag the gate follows                            default stable
#   SIGNING_KEY   the cosign-format private key                              required
#   PUBLIC_KEY    its public half, as the gate's [trust] lists it            required
#   CLAWLAW_KEY_PASSWORD                 the private key's password           required
#   CLAWLAW_REGISTRY_USERNAME/_PASSWORD  registry credentials                 optional
#   CLAWLAW       the clawlaw binary                         default target/release/clawlaw
#   POLICIES_DIR  where the components are; when set, skip the build step
#   INSECURE      set to 1 to talk plain HTTP (a local test registry only)
#   SIGNATURE_FORMAT  v3 (a Sigstore bundle as an OCI referrer, as cosign v3
#                 writes it), legacy (the sha256-<digest>.sig image) or both  default v3
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${REGISTRY:?set REGISTRY to the registry host[:port]}"
: "${SIGNING_KEY:?set SIGNING_KEY to the cosign private key file}"
: "${PUBLIC_KEY:?set PUBLIC_KEY to the public key file}"
NAMESPACE=${NAMESPACE:-clawlaw}
TAG=${TAG:-stable}
CLAWLAW=${CLAWLAW:-target/release/clawlaw}
insecure=()
if [ "${INSECURE:-0}" = 1 ]; then insecure=(--insecure); fi
source=()
if [ -n "${SOURCE_URL:-}" ]; then source=(--source "$SOURCE_URL"); fi

if [ -z "${POLICIES_DIR:-}" ]; then
    cargo xtask policies
    cargo build --release -p clawlaw
    POLICIES_DIR=target/policies
fi

for crate in policies/*/; do
    name=$(basename "$crate")
    wasm="$POLICIES_DIR/$name.wasm"
    [ -f "$wasm" ] || { echo "publish: $wasm is missing" >&2; exit 1; }

    # The component must pass its own cases before it is published.
    "$CLAWLAW" policy test "$wasm" "$crate/cases.toml"

    version=$("$CLAWLAW" policy info "$wasm" --json |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
    ref="oci://$REGISTRY/$NAMESPACE/$name"

    # One manifest, signed once, under its version and under the tag the
    # gate follows; the signature in cosign v3's form by default.
    "$CLAWLAW" policy push "$wasm" "$ref:$version" --also-tag "$TAG" \
        --sign --key "$SIGNING_KEY" --signature-format "${SIGNATURE_FORMAT:-v3}" \
        "${source[@]}" "${insecure[@]}"
    "$CLAWLAW" policy verify "$ref:$TAG" --key "$PUBLIC_KEY" "${insecure[@]}"
done
