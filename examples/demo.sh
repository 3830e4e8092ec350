#!/usr/bin/env bash
# The README demo: copy the bundled example repo to a temp dir, give it the demo
# keys through the file key store (no OS keyring needed), and use it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/lcm-demo.XXXXXX")"
export XDG_DATA_HOME="$work/xdg-data"          # the file key store lives here
export LCM_AUTHOR="lcm demo <demo@lcm.invalid>"
unset LCM_KEY_ACME LCM_KEY_GLOBEX || true

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

cp -r "$here/repo" "$work/cfg"
cd "$work/cfg"
git init -q -b main . && git add -A && git -c user.name=demo -c user.email=demo@lcm.invalid commit -qm "example repo"
lcm init --git-only . >/dev/null
echo "demo repo: $work/cfg   (file key store: $XDG_DATA_HOME)"

for tenant in acme globex; do
  step lcm key import "$tenant" < "$here/demo-keys/$tenant.key"
done
step lcm tenant list
step lcm get acme/production/inference
step lcm get acme/production/inference --explain
step lcm get acme/production/inference llm.api_key --reveal
step lcm set acme/production/inference llm.temperature 0.3 -m "cooler answers in production"
printf 'sk-demo-rotated-%s\n' "$RANDOM$RANDOM" | lcm set acme/base/inference llm.api_key --value-stdin --secret
step lcm get acme/production/inference -o json
step lcm get globex/staging/inference -o env
step git log --oneline -5
step git diff HEAD~1 -- config/
if lcm validate --help >/dev/null 2>&1; then step lcm validate; fi
if lcm scan --help >/dev/null 2>&1; then step lcm scan config; fi
if lcm history --help >/dev/null 2>&1; then step lcm history acme/base/inference --limit 5; fi
echo
echo "demo finished: the repo is in $work/cfg (remove it with: rm -rf $work)"
