#!/bin/sh
# Refresh the vendored gitleaks rule set (sdk/rules/gitleaks.toml) and its
# licence from GitHub. Run by a human with network; builds and tests never
# fetch anything. Usage: sdk/rules/update.sh [ref]   (default: master)
set -eu
ref="${1:-master}"
here="$(cd "$(dirname "$0")" && pwd)"
api="https://api.github.com/repos/gitleaks/gitleaks/commits/$ref"
commit="$(curl -fsSL -H 'Accept: application/vnd.github.sha' "$api")"
case "$commit" in
  *[!0-9a-f]*|'') echo "could not resolve $ref: $commit" >&2; exit 1 ;;
esac
raw="https://raw.githubusercontent.com/gitleaks/gitleaks/$commit"
curl -fsSL "$raw/config/gitleaks.toml" -o "$here/gitleaks.toml.new"
curl -fsSL "$raw/LICENSE" -o "$here/LICENSE-gitleaks"
mv "$here/gitleaks.toml.new" "$here/gitleaks.toml"
date="$(date -u +%Y-%m-%d)"
# The README's commit line: `<sha>` (<date>).
sed -i.bak -E "s/^\`[0-9a-f]{40}\` \([^)]*\)/\`$commit\` (fetched $date)/" "$here/README.md"
rm -f "$here/README.md.bak"
echo "gitleaks.toml updated to $commit; now run: cargo test -p clawlaw-sdk secrets && cargo test -p secrets-guard"
