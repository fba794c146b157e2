#!/usr/bin/env python3
"""Make a tflite2onnx output byte-reproducible.

tflite2onnx 0.4.1 keeps graph.initializer and graph.value_info in Python sets of
tensor objects (hashed by id), so their order, and hence the file's bytes, change
from run to run.  The nodes, their order and every tensor are the same each time.
This script sorts those two lists by tensor name and saves the model in place.
Nothing else changes: it checks that the nodes, inputs, outputs and the set of
initializers / value_infos are equal before and after.

Usage: canonicalize.py MODEL.onnx
"""

import sys

import onnx


def main(path):
    model = onnx.load(path)
    g = model.graph
    before = (
        [n.SerializeToString() for n in g.node],
        sorted(t.SerializeToString() for t in g.initializer),
        sorted(v.SerializeToString() for v in g.value_info),
    )
    inits = sorted(g.initializer, key=lambda t: t.name)
    infos = sorted(g.value_info, key=lambda v: v.name)
    del g.initializer[:]
    g.initializer.extend(inits)
    del g.value_info[:]
    g.value_info.extend(infos)
    after = (
        [n.SerializeToString() for n in g.node],
        sorted(t.SerializeToString() for t in g.initializer),
        sorted(v.SerializeToString() for v in g.value_info),
    )
    assert before == after, "canonicalization must only reorder"
    onnx.save(model, path)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
