#!/bin/sh
# Mutation testing of the admission rules (signup/core/admission.py) with mutmut 3,
# outside make test. Runs niced in a copy of the working tree under /tmp, so the
# worktree is never mutated; prints the survivors. Settings: bench/mutmut.cfg.
#
#     bench/mutation.sh            # then: cd <the printed directory> && mutmut show <name>
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/mutation-XXXXXX)
rsync -a --exclude .git --exclude .venv --exclude mutants --exclude __pycache__ \
    --exclude docs --exclude deploy "$ROOT/" "$WORK/"
cp "$ROOT/bench/mutmut.cfg" "$WORK/setup.cfg"
cd "$WORK"
echo "mutation run in $WORK"
nice -n 15 "$ROOT/.venv/bin/mutmut" run --max-children "${MUTATION_JOBS:-2}" || true
"$ROOT/.venv/bin/mutmut" results
echo "mutation run in $WORK"
