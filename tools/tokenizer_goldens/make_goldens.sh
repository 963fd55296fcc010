#!/usr/bin/env bash
# Regenerates every tokenizer golden in tests/data/tokenizers/ from the real tokenizer files.
#   tools/tokenizer_goldens/make_goldens.sh [SHARED_DATA]   (default /work/shared/data)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
data="${1:-/work/shared/data}"
out="$repo/tests/data/tokenizers/golden"
cd "$here"
/usr/bin/python3 texts.py
[ -d node_modules/@lenml/tokenizers ] || npm install --no-audit --no-fund
node make_hf_goldens.mjs "$data" "$out"
/usr/bin/python3 make_spm_goldens.py "$data" "$out" "$repo/tests/data/tokenizers/unigram"
/usr/bin/python3 make_qwen_skeleton.py "$data" "$repo/tests/data/tokenizers/qwen3-json"
