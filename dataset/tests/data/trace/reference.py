#!/usr/bin/env python3
"""Synthetic power traces and an independent numpy reference for einf's trace method.

    python3 reference.py          # (re)writes the files below, next to this script

Everything here is SYNTHETIC: generated from fixed seeds, not measured. Files written:

- synthetic_monsoon_5khz.csv (+ _windows.csv): a Monsoon-like trace, `time_us,current_mA,voltage_V`
  at 5 kHz, 1.5 s idle then 200 inferences (3 slower warm-up runs first), a few dropped samples.
- synthetic_usb_meter_400ms.csv (+ _windows.csv): a USB meter logging every 400 ms (+- 20 ms),
  `time_s,power_W`, a warm-up burst of 5 inferences, then three phases of 250 back-to-back
  inferences.
- reference_output.json: what this script's own implementation of the method finds on those
  files (read back from the CSV text, as einf reads them), plus the generator's true energies.

dataset/tests/trace.rs (`mod reference`) reads the same files with einf and compares every
number to 1e-9 relative, and checks both against the generator's truth.

The method, written again from its description (dataset/src/trace/mod.rs, issue 4), not from
the Rust: the trace is the piecewise-linear curve through its samples (sorted; samples sharing a
timestamp averaged). Baseline = trapezoid mean power from the trace start to `guard` before the
first window. Windows sorted by start, the first/last few dropped. Per inference: gross =
trapezoid integral over the window with the trace interpolated at the edges (np.interp), net =
gross - baseline * duration, latency = window length, power = net / latency. Coarse meters
(median window shorter than 4 median sample intervals): phases = runs of windows with pauses no
longer than the median sample interval; each phase is integrated from its first start to its last
end, widened on a side that borders idle time by a margin of two median sample intervals (at most
half the pause to the nearest other window, within the trace); each inference gets its phase's
net energy (baseline subtracted over the widened interval) / window count. An interval overlapping a sample gap longer than `max_gap_factor` x the median interval is
refused.
"""

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------------
# Generators (synthetic).
# --------------------------------------------------------------------------------------------


def monsoon_5khz(seed=20240004):
    """Monsoon-like trace at 5 kHz (200 us) with 200 inferences.

    Idle 118 mA with a slow 0.7 Hz wander of +-0.6 mA; each inference draws 6-10 "layers" of
    +200..380 mA (warm-up runs +10 %), starting 120 us after its logged start (a 300 us rise) and
    ending 80 us before its logged end (a 250 us fall); 4.2 V supply sagging 50 mV/A; Gaussian
    noise 2 mA and 0.8 mV; 0.1 % of the samples dropped. Written as current 0.1 mA, voltage 0.1 mV.
    """
    rng = np.random.default_rng(seed)
    idle_ma, wander_ma, wander_hz, phi = 118.0, 0.6, 0.7, rng.uniform(0, 2 * np.pi)
    starts, ends, layers = [], [], []
    t = 1_500_000 + int(rng.integers(0, 200))
    for i in range(200):
        latency = int(rng.normal(11_000, 600))
        scale = 1.0
        if i < 3:  # warm-up: slower, hungrier
            latency = int(latency * (2.2, 1.6, 1.25)[i])
            scale = 1.1
        n = int(rng.integers(6, 11))
        cuts = np.sort(rng.uniform(0, 1, n - 1))
        levels = rng.uniform(200, 380, n) * scale
        starts.append(t)
        ends.append(t + latency)
        layers.append((cuts, levels))
        t += latency + int(rng.integers(4_000, 8_000))
    end_us = t + 300_000

    def idle(t_us):
        return idle_ma + wander_ma * np.sin(2 * np.pi * wander_hz * t_us * 1e-6 + phi)

    def extra(t_us):
        """Inference current (mA) above idle, noise-free."""
        out = np.zeros_like(t_us, dtype=float)
        for s, e, (cuts, levels) in zip(starts, ends, layers):
            a, b = s + 120.0, e - 80.0
            m = (t_us > a) & (t_us < b)
            if not m.any():
                continue
            x = t_us[m]
            frac = (x - a) / (b - a)
            level = levels[np.searchsorted(cuts, frac, side="right")]
            env = np.clip((x - a) / 300.0, 0, 1) * np.clip((b - x) / 250.0, 0, 1)
            out[m] = level * env
        return out

    def volts(current_ma):
        return 4.2 - 0.05 * current_ma * 1e-3

    t_us = np.arange(0, end_us + 1, 200, dtype=np.int64)
    keep = rng.random(len(t_us)) >= 0.001
    keep[0] = keep[-1] = True
    t_us = t_us[keep]
    tf = t_us.astype(float)
    i_clean = idle(tf) + extra(tf)
    current = i_clean + rng.normal(0, 2.0, len(tf))
    voltage = volts(i_clean) + rng.normal(0, 0.0008, len(tf))

    trace = "time_us,current_mA,voltage_V\n" + "".join(
        f"{t},{c:.1f},{v:.4f}\n" for t, c, v in zip(t_us, current, voltage)
    )
    windows = "start_us,end_us\n" + "".join(f"{s},{e}\n" for s, e in zip(starts, ends))

    # True net energy of each logged window: the noise-free power minus the noise-free idle
    # power at the same instant, integrated on a 1 us grid (mW * us = nJ).
    truth = []
    for s, e in zip(starts, ends):
        x = np.arange(s, e + 1, dtype=float)
        i_all, i_idle = idle(x) + extra(x), idle(x)
        net = i_all * volts(i_all) - i_idle * volts(i_idle)
        truth.append(float(np.trapezoid(net, x) * 1e-6))
    return trace, windows, truth


def usb_meter_400ms(seed=20240403):
    """A USB meter: a sample every 400 +- 20 ms (ms timestamps) holding the mean power since the
    previous sample plus 4 mW noise; idle 2.1 W, +1.3 W while an inference runs; 5 warm-up
    inferences at 18 s, then three phases of 250 back-to-back inferences of 15 +- 2 ms, 0.1-0.3 ms
    apart. A coarse meter cannot tell warm-up from the runs right after it, so the warm-up is a
    burst of its own, dropped whole."""
    rng = np.random.default_rng(seed)
    windows = []
    for phase_start_s, count in ((18, 5), (20, 250), (30, 250), (40, 250)):
        t = phase_start_s * 1_000_000 + int(rng.integers(0, 1000))
        for _ in range(count):
            latency = int(rng.integers(13_000, 17_000))
            windows.append((t, t + latency))
            t += latency + int(rng.integers(100, 300))
    w = np.array(windows, dtype=float)

    def busy_us(a, b):
        return float(np.clip(np.minimum(b, w[:, 1]) - np.maximum(a, w[:, 0]), 0, None).sum())

    lines = ["time_s,power_W\n", f"0.000,{2.1 + 0.004 * rng.normal():.4f}\n"]
    prev_ms = 0
    for k in range(1, 126):
        t_ms = k * 400 - 20 + int(rng.integers(0, 40))
        a, b = prev_ms * 1e3, t_ms * 1e3
        watts = 2.1 + 1.3 * busy_us(a, b) / (b - a) + 0.004 * rng.normal()
        lines.append(f"{t_ms // 1000}.{t_ms % 1000:03d},{watts:.4f}\n")
        prev_ms = t_ms
    trace = "".join(lines)
    wtext = "start_us,end_us\n" + "".join(f"{s},{e}\n" for s, e in windows)
    truth = [1.3 * (e - s) * 1e-3 for s, e in windows]  # W * ms = mJ
    return trace, wtext, truth


# --------------------------------------------------------------------------------------------
# The method, independently.
# --------------------------------------------------------------------------------------------

# Factors to us, mA, V, mW for the headers the fixtures use.
UNITS = {"s": 1e6, "ms": 1e3, "us": 1.0, "mA": 1.0, "A": 1e3, "V": 1.0, "mW": 1.0, "W": 1e3}


def columns(path):
    """name -> values scaled to us / mA / V / mW, from `name_unit` headers."""
    with path.open() as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    out = {}
    for i, field in enumerate(header):
        name, unit = field.rsplit("_", 1)
        out[name] = data[:, i] * UNITS[unit]
    return out


def read_trace(path):
    c = columns(path)
    t = c["time"]
    p = c["power"] if "power" in c else c["current"] * c["voltage"]
    order = np.argsort(t, kind="stable")
    t, p = t[order], p[order]
    t_unique, inverse = np.unique(t, return_inverse=True)
    return t_unique, np.bincount(inverse, weights=p) / np.bincount(inverse)


def integral_mj(t, p, a, b, max_dt, what):
    if a < t[0] or b > t[-1] or not a < b:
        raise ValueError(f"{what} outside the trace")
    overlap = (t[:-1] < b) & (t[1:] > a)  # segments overlapping (a, b)
    if np.any(np.diff(t)[overlap] > max_dt):
        raise ValueError(f"{what} falls in a gap")
    x = np.concatenate(([a], t[(t > a) & (t < b)], [b]))
    return float(np.trapezoid(np.interp(x, t, p), x)) * 1e-6  # mW * us -> mJ


def stats(values):
    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0, "count": len(v)}


def measure(trace_path, windows_path, cfg):
    t, p = read_trace(trace_path)
    w = columns(windows_path)
    order = np.argsort(w["start"], kind="stable")
    starts, ends = w["start"][order], w["end"][order]
    median_dt = float(np.median(np.diff(t)))
    max_dt = cfg["max_gap_factor"] * median_dt

    idle_end = starts[0] - cfg["guard_ms"] * 1e3
    baseline = integral_mj(t, p, t[0], idle_end, max_dt, "idle") / ((idle_end - t[0]) * 1e-6)

    keep = np.arange(cfg["drop_first"], len(starts) - cfg["drop_last"])
    lat_ms = (ends - starts) * 1e-3
    phase_mode = float(np.median(ends[keep] - starts[keep])) < 4.0 * median_dt
    rows, phases = [], []
    if not phase_mode:
        for i in keep:
            gross = integral_mj(t, p, starts[i], ends[i], max_dt, f"window {i}")
            net = gross - baseline * (ends[i] - starts[i]) * 1e-6
            rows.append((int(i), net, lat_ms[i]))
    else:
        pauses = starts[keep][1:] - ends[keep][:-1]
        margin = 2 * median_dt
        for g in np.split(keep, np.nonzero(pauses > median_dt)[0] + 1):
            a, b = starts[g[0]], ends[g[-1]]
            # Idle margins: at most half the pause to the nearest other window (dropped ones
            # too), and within the trace.
            before = a - ends[g[0] - 1] if g[0] > 0 else np.inf
            after = starts[g[-1] + 1] - b if g[-1] + 1 < len(starts) else np.inf
            lo = a - max(0.0, min(margin, before / 2, a - t[0]))
            hi = b + max(0.0, min(margin, after / 2, t[-1] - b))
            net = integral_mj(t, p, lo, hi, max_dt, f"phase {g[0]}") - baseline * (hi - lo) * 1e-6
            phases.append(
                {"first": int(g[0]), "last": int(g[-1]), "from_us": float(lo), "to_us": float(hi), "net_energy_mj": net}
            )
            rows += [(int(i), net / len(g), lat_ms[i]) for i in g]
    rows = [
        {"index": i, "energy_mj": float(e), "latency_ms": float(l), "power_mw": float(e / l * 1e3)}
        for i, e, l in rows
    ]
    return {
        "mode": "phase" if phase_mode else "per_inference",
        "baseline_mw": float(baseline),
        "median_interval_us": median_dt,
        "rows": rows,
        "phases": phases,
        "summary": {k: stats([r[k] for r in rows]) for k in ("energy_mj", "latency_ms", "power_mw")},
    }


CASES = {
    "monsoon_5khz": (monsoon_5khz, {"guard_ms": 500.0, "drop_first": 3, "drop_last": 2, "max_gap_factor": 5.0}),
    "usb_meter_400ms": (usb_meter_400ms, {"guard_ms": 2000.0, "drop_first": 5, "drop_last": 0, "max_gap_factor": 5.0}),
}


def main():
    out = {
        "note": "SYNTHETIC: written by reference.py (numpy "
        + np.__version__
        + ") from fixed seeds; the generator's truth and an independent implementation of the method, "
        "not measurements",
        "cases": {},
    }
    for name, (generate, cfg) in CASES.items():
        trace, windows, truth = generate()
        trace_path = HERE / f"synthetic_{name}.csv"
        windows_path = HERE / f"synthetic_{name}_windows.csv"
        trace_path.write_text(trace)
        windows_path.write_text(windows)
        case = {"trace": trace_path.name, "windows": windows_path.name, "config": cfg}
        case.update(measure(trace_path, windows_path, cfg))
        kept = truth[cfg["drop_first"] : len(truth) - cfg["drop_last"]]
        case["truth_energy_mj"] = {"per_window": kept, "mean": float(np.mean(kept))}
        out["cases"][name] = case
    (HERE / "reference_output.json").write_text(json.dumps(out, indent=None, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
