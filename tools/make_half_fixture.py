"""tests/fixtures/halfs/rounding.json: f32 values and their f16 / bf16 bits, rounded by an independent
implementation (numpy's float16 cast for IEEE half; exact float64 comparison of the two neighbouring
bf16 values for bfloat16, ties to the even one), for tests/unit/model/weightArray.test.ts.
Run: python3 tools/make_half_fixture.py (any Python 3 with numpy)"""
import json
import numpy as np

rng = np.random.default_rng(0)
vals = list(rng.standard_normal(600).astype(np.float32))
vals += list((rng.standard_normal(300) * 1e-5).astype(np.float32))  # f16 subnormal range
vals += list((rng.standard_normal(200) * 7e4).astype(np.float32))  # around f16 overflow
vals += list((rng.standard_normal(200) * 1e-38).astype(np.float32))  # f32 subnormals
# exact ties: f32 values halfway between two bf16 values, and between two f16 values
for m in range(40):
    vals.append(np.array([(0x3F80 + m) << 16 | 0x8000], dtype=np.uint32).view(np.float32)[0])
    h = np.array([0x3C00 + m, 0x3C01 + m], dtype=np.uint16).view(np.float16).astype(np.float64)
    vals.append(np.float32((h[0] + h[1]) / 2))
vals += [np.float32(v) for v in (0.0, -0.0, 65504.0, 65520.0, 65519.99, 6.1e-5, 5.96e-8, 2.98e-8, 3e-8, float("inf"), -float("inf"), 3.4e38)]
f32 = np.array(vals, dtype=np.float32)


def bf16_bits(x: np.float32) -> int:
    u = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    lo = u >> 16
    if (u & 0x7FFFFFFF) > 0x7F800000:
        return None
    if not np.isfinite(x):
        return lo  # ±Inf is exact
    cands = []
    for b in (lo, lo + 1):
        v = np.array([(b & 0xFFFF) << 16], dtype=np.uint32).view(np.float32)[0]
        # IEEE overflow: Inf stands for the next value past the largest finite one, 2^128 in magnitude
        vv = float(v) if np.isfinite(v) else float(np.sign(v)) * 2.0**128
        cands.append((abs(vv - float(x)), b & 0xFFFF))
    (d0, b0), (d1, b1) = cands
    if d0 < d1 or (d0 == d1 and b0 % 2 == 0):
        return b0
    return b1


rows = []
for x in f32:
    with np.errstate(over="ignore"):
        h = int(np.array([x], dtype=np.float32).astype(np.float16).view(np.uint16)[0])
    rows.append([int(np.array([x], dtype=np.float32).view(np.uint32)[0]), bf16_bits(x), h])
with open("tests/fixtures/halfs/rounding.json", "w") as f:
    json.dump({"columns": ["f32_bits", "bf16_bits", "f16_bits"], "rows": rows}, f)
print(len(rows), "values")
