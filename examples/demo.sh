#!/usr/bin/env bash
# The README demo: copy the bundled example repo to a temp dir, give it the demo keys
# through the file key store (no OS keyring, no Vault server), and do the whole job with
# it: read, write, history, rotation, promotion, export and exec, checks and the audit.
# Every command is printed ("$ …") before it runs, so the output reads as a session;
# nothing runs unprinted after the set-up lines below.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/lcm-demo.XXXXXX")"
export XDG_DATA_HOME="$work/xdg-data"            # the file key store lives here
# The demo's identity. Git's GIT_AUTHOR_*/GIT_COMMITTER_* win over any ~/.gitconfig, and
# lcm names authors as Git does (LCM_AUTHOR only counts where Git has no identity).
export LCM_AUTHOR="lcm demo <demo@lcm.invalid>"
export GIT_AUTHOR_NAME="lcm demo" GIT_AUTHOR_EMAIL="demo@lcm.invalid"
export GIT_COMMITTER_NAME="lcm demo" GIT_COMMITTER_EMAIL="demo@lcm.invalid"
export GIT_PAGER=cat                             # `git show` must not wait in a pager
unset LCM_KEY_ACME LCM_KEY_GLOBEX LCM_NOW EDITOR VISUAL || true

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
# Print a command as typed, then run it in this shell (pipes, redirections and `cd` work).
step() { printf '\n%s$ %s%s\n' "$bold" "$1" "$plain"; eval "$1"; }
# The same for a command whose exit status 1 is an answer ("they differ", "would change").
answer() { step "$1" || { status=$?; [ "$status" -eq 1 ] && echo "(exit 1: $2)"; }; }
section() { printf '\n%s# %s%s\n' "$bold" "$1" "$plain"; }

echo "demo folder: $work   (file key store: $XDG_DATA_HOME)"
cd "$work"
section "Set-up: a clone of the example repo, and the demo's master keys"
step 'cp -r "$here/repo" cfg && cd cfg'
step 'git init -q -b main && git add -A && git commit -qm "example repo"'
step 'lcm init --git-only                     # diff/merge drivers and the pre-commit hook of a clone'
step 'lcm key import acme < "$here/demo-keys/acme.key"'
step 'lcm key import globex < "$here/demo-keys/globex.key"'
step 'lcm tenant list'

section "Read: effective config, provenance, a revealed secret, a whole environment"
step 'lcm get acme/production/inference'
step 'lcm get acme/production/inference --explain'
step 'lcm get acme/production/inference llm.api_key --reveal'
step 'lcm get globex/staging -o env           # every file of the env'

section "Write: one commit per change; a secret from stdin; an edit in \$EDITOR (scripted here)"
step 'lcm set acme/production/inference llm.temperature 0.3 -m "cooler answers in production"'
step 'printf "sk-demo-acme-%s\n" 1111111111111111 | lcm set acme/base/inference llm.api_key --value-stdin --secret'
step "EDITOR=\"sed -i -e 's/max_tokens: 1024/max_tokens: 2048/'\" lcm edit acme/base/inference -m 'longer answers'"
step 'lcm get acme/production/inference -o json'

section "History: key-level diff (secrets as fingerprints), log, roll the edit back"
answer 'lcm diff HEAD~3' "they differ"
step 'lcm history acme/base/inference --limit 5'
step 'lcm rollback acme/base/inference --to HEAD~1 -m "back to 1024 tokens"'
step 'lcm get acme/base/inference llm.max_tokens'

section "Rotation: what is due, a new secret value (the old one kept for the overlap), a new data key"
step 'lcm rotate status                       # no key needed; --check makes it a CI gate'
step 'lcm rotate secret acme/base/inference llm.api_key --generate base62:32'
step 'lcm get acme/production/inference llm.api_key --previous --reveal   # still valid until the overlap ends'
step 'lcm rotate key acme                     # every value of acme re-encrypted under data key v2'
step 'git show --stat                         # in one commit'
step 'lcm rotate status acme'

section "Promote: staging tries a model, production takes only that"
step 'lcm set acme/staging/inference llm.model gpt-4.1 -m "staging tries gpt-4.1"'
answer 'lcm promote acme staging production --dry-run   # everything: production would lose its overrides' "production would change"
step 'lcm promote acme staging production inference --keys llm.model -m "production moves to gpt-4.1"'
step 'lcm get acme/production/inference llm.model'

section "Export and exec: the effective config for a service"
step 'lcm export acme/production --to dotenv:../acme-production.env   # outside the repo, mode 0600'
step 'grep -E "^INFERENCE_LLM_(PROVIDER|MODEL)=" ../acme-production.env'
step "lcm exec acme/production -- sh -c 'echo \"serving \$INFERENCE_LLM_MODEL from \$INFERENCE_LLM_ENDPOINT_URL\"'"

section "Checks CI runs, and the trail of what was exposed"
step 'lcm validate'
step 'lcm scan config'
step 'lcm audit log'
step 'lcm audit verify'
step 'git log --format="%h  %an <%ae>  %s" -12'

section "The terminal UI (not started by the demo: it waits for your keys)"
echo "to browse, edit, diff and roll back interactively: cd $work/cfg && lcm tui"
echo
echo "demo finished: the repo is in $work/cfg (remove it with: rm -rf $work)"
