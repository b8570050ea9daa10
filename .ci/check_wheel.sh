#!/usr/bin/env bash
# The wheel as a user gets it: build it, install it (not editable) in a second fresh virtual
# environment, and from outside the repository import every module it holds and run the CLI.
# A subpackage that the build drops (as `packages = ["blendsim"]` once did) fails here.
# Usage: .ci/check_wheel.sh   (from any directory; needs python3 and the package registry)
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

python3 -m venv "$tmp/venv"
# shellcheck disable=SC1091
. "$tmp/venv/bin/activate"
# Build from a copy of the files git would see (tracked, or new and not ignored), so a stale
# build/ folder cannot leak old modules into the wheel and the checkout is left as it was.
mkdir "$tmp/src"
git -C "$src" ls-files -z --cached --others --exclude-standard \
    | tar -C "$src" --null --ignore-failed-read -T - -cf - | tar -xf - -C "$tmp/src"
pip wheel "$tmp/src" --no-deps --quiet -w "$tmp/dist"
pip install --quiet --no-compile "$tmp"/dist/blendsim-*.whl  # (the runtime deps, from the registry)

cd "$tmp"  # outside the repository: only the installed wheel can be imported
python -I "$src/.ci/import_all.py" "$tmp/src"  # the tree the wheel was built from
# Package data: the default business assumptions ship inside the wheel.
python -I -c 'from blendsim.scenario.assumptions import default_assumptions as d
print(f"default assumptions: {len(d())} figures read from the installed wheel")'
# The executive's page from the installed wheel (no browser needed without --pdf).
blendsim report "$tmp/src/scenarios/pilot_baseline.toml" "$tmp/src/scenarios/pilot_blended.toml" \
    --replications 8 --scale none --seed 1 --quiet --out "$tmp/report.html"
grep -q 'id="verdict"' "$tmp/report.html"
blendsim assumptions | python -I -c 'import sys, tomllib; print(f"blendsim assumptions: {len(tomllib.loads(sys.stdin.read()))} top-level entries")'
expected="blendsim $(python -c 'from importlib.metadata import version; print(version("blendsim"))')"
for command in "blendsim --version" "python -m blendsim --version"; do
    got="$($command)"
    if [ "$got" != "$expected" ]; then
        echo "\`$command\` printed '$got', not '$expected'" >&2
        exit 1
    fi
    echo "$command: $got"
done
echo "wheel check: ok"
