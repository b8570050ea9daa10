#!/usr/bin/env bash
# Re-execute every notebook in place, so that each is committed with its outputs (figures
# included).  Run from anywhere, in an environment with blendsim and Jupyter installed
# (pip install -e ".[dev,notebooks]").  No cell timings are recorded, so re-running only
# changes outputs whose numbers changed.
set -euo pipefail
cd "$(dirname "$0")"
jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.kernel_name=python3 \
    --ExecutePreprocessor.timeout=600 \
    --ExecutePreprocessor.record_timing=False \
    ./*.ipynb
