#!/usr/bin/env bash
# Regenerates examples/repo and examples/demo-keys with fresh keys (maintainers only).
# The demo keys are public on purpose: never use them for anything real.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
export XDG_DATA_HOME="$work/xdg" LCM_AUTHOR="lcm examples <examples@lcm.invalid>"
lcm init "$work/repo" >/dev/null
cd "$work/repo"
lcm tenant add acme --backend file
lcm tenant add globex --backend file
s() { lcm set "$@" >/dev/null; }
s acme/base/inference llm.provider openai
s acme/base/inference llm.model gpt-4o-mini
s acme/base/inference llm.endpoint_url https://api.openai.com/v1
s acme/base/inference llm.temperature 0.2
s acme/base/inference llm.max_tokens 1024
s acme/base/inference llm.timeout_s 30
s acme/base/inference llm.retries 2
printf 'sk-demo-acme-%s' "0000000000000000" | lcm set acme/base/inference llm.api_key --value-stdin --secret >/dev/null
s acme/staging/inference llm.model gpt-4o
s acme/production/inference llm.model gpt-4o
s acme/production/inference llm.temperature 0.1
s acme/production/inference llm.retries 4
s globex/base/inference llm.provider anthropic
s globex/base/inference llm.model claude-sonnet-4-5
s globex/base/inference llm.endpoint_url https://api.anthropic.com
s globex/base/inference llm.temperature 0.5
printf 'demo-globex-key-%s' "1111111111111111" | lcm set globex/base/inference llm.api_key --value-stdin --secret >/dev/null
s globex/staging/inference llm.temperature 0.7
s acme/base/prompts/support name support-answer
s acme/base/prompts/support version 1.2.0
s acme/base/prompts/support variables '{product: {type: string, default: Acme}, question: {type: string, required: true}}' --type yaml
s acme/base/prompts/support template 'You are a support agent for {{product}}. Answer: {{question}}'
s acme/base/routing strategy weighted
s acme/base/routing default inference
s acme/base/routing rules '[{name: chat, match: {task: chat}, targets: [{endpoint: inference, weight: 100}]}]' --type yaml
s acme/production/routing rules '[{name: chat, match: {task: chat}, targets: [{endpoint: inference, weight: 90}, {endpoint: acme/production/anthropic, weight: 10}]}]' --type yaml
s acme/base/budget currency USD
s acme/base/budget period monthly
s acme/base/budget limit 2500
s acme/production/budget limit 25000
s acme/production/budget hard_limit true
rm -rf "$here/repo" "$here/demo-keys"
mkdir -p "$here/repo" "$here/demo-keys"
cp -r .lcm.yaml .lcm .gitattributes .pre-commit-config.yaml config schemas "$here/repo/"
rm -rf "$here/repo/.lcm/lock" "$here/repo/.lcm/audit"
for t in acme globex; do
  { echo "# DEMO KEY for the bundled example repo only: public, never use it for real data."
    lcm key export "$t"; } > "$here/demo-keys/$t.key"
done
rm -rf "$work"
echo "rebuilt $here/repo"
