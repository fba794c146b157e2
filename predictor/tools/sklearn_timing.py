#!/usr/bin/env python3
"""Train the forests of one device with scikit-learn and print the time, for comparison with einf.

The training sets come from einf itself, so both train on the same rows and targets:

    einf train --device pixel4-gpu-tflite-fp16 --dump-features /tmp/pixel4-sets
    python3 predictor/tools/sklearn_timing.py /tmp/pixel4-sets

Every `<kind>.<metric>.csv` is one forest's training set (feature columns, then `target`, the
value the forest fits: the log of the measurement, or of its rate per unit of work); `params.json`
holds einf's hyperparameters, mapped onto `RandomForestRegressor` (bootstrap, squared error,
max_features None = every feature, random_state = seed) with n_jobs=2. The time printed is the
wall time of fitting every forest one after the other (each fit uses both cores), best of
`--repeat` runs; reading the CSVs is not counted.
"""

import argparse
import csv
import json
import os
import platform
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestRegressor


def read_set(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    if header[-1] != "target" or not body:
        sys.exit(f"{path}: expected feature columns, then 'target', and at least one row")
    data = np.array(body, dtype=np.float64)
    return data[:, :-1], data[:, -1]


def max_features(mf):
    if mf == "all":
        return None
    if isinstance(mf, dict) and "count" in mf:
        return int(mf["count"])
    sys.exit(f"unknown max_features {mf!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="folder written by `einf train --dump-features`")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args()

    with open(os.path.join(args.dir, "params.json")) as f:
        meta = json.load(f)
    p = meta["params"]
    sets = []
    for name in sorted(os.listdir(args.dir)):
        if name.endswith(".csv"):
            x, y = read_set(os.path.join(args.dir, name))
            sets.append((name[: -len(".csv")], x, y))
    if not sets:
        sys.exit(f"{args.dir}: no training sets")

    def make():
        return RandomForestRegressor(
            n_estimators=p["n_trees"],
            max_depth=p["max_depth"],
            min_samples_leaf=p["min_samples_leaf"],
            min_samples_split=p["min_samples_split"],
            max_features=max_features(p["max_features"]),
            bootstrap=True,
            random_state=p["seed"],
            n_jobs=args.n_jobs,
        )

    best = None
    per_set = {}
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        for name, x, y in sets:
            t = time.perf_counter()
            make().fit(x, y)
            per_set[name] = min(per_set.get(name, float("inf")), time.perf_counter() - t)
        total = time.perf_counter() - start
        best = total if best is None else min(best, total)

    rows = sum(len(y) for _, _, y in sets)
    print(f"device: {meta['device']}")
    print(
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
        f"n_jobs={args.n_jobs}, {os.cpu_count()} CPUs"
    )
    print(
        f"hyperparameters: {p['n_trees']} trees, max_depth {p['max_depth']}, min_samples_leaf "
        f"{p['min_samples_leaf']}, min_samples_split {p['min_samples_split']}, max_features "
        f"{p['max_features']}, bootstrap, random_state {p['seed']}"
    )
    print(f"{len(sets)} forests, {rows} training rows in all")
    for name, x, y in sets:
        print(f"  {name:40} {len(y):6} rows x {x.shape[1]:2} features  {per_set[name]:.3f} s")
    print(f"scikit-learn: all forests of {meta['device']} in {best:.2f} s (best of {args.repeat})")


if __name__ == "__main__":
    main()
