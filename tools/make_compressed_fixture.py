"""tests/fixtures/compressed/bitmask.json and bitmask24.json: what compressed-tensors' own sparse-bitmask and
sparse-24-bitmask compressors write for a few pruned weight matrices, for tests/unit/model/compressed.test.ts
(our writer must produce the same tensors: names, dtypes, shapes and bytes).

The library removed its sparsity compressors in commit 927f6d5 ("Refactor compressors, remove sparsity &
CompressedLinear", #610), so this runs the last version that had them, the parent of that commit. It loads
that version's own source files (sparse_compressors/base.py, sparse_bitmask.py and sparse_24_bitmask.py, pack_bitmasks from utils/helpers.py
and merge_names from utils/safetensors_load.py) with small shims for the package imports they do not use here (registry, offloading,
safetensors reading, tqdm, the two config enums), and calls the compressor's compress on a state dict like ours.

With the `safetensors` package importable it also writes the whole file `safetensors.torch.save_file` makes of
the compressed state dict ("file", hex), for a byte-for-byte comparison of our writer's output.

Run (Debian's python3-torch and python3-numpy, e.g. in a venv with --system-site-packages and `pip install
safetensors`; a checkout of vllm-project/compressed-tensors):
  git -C CT checkout 927f6d5fec84d13866023bb414797333940b1741^
  /usr/bin/python3 tools/make_compressed_fixture.py CT sparse-bitmask > tests/fixtures/compressed/bitmask.json
  /usr/bin/python3 tools/make_compressed_fixture.py CT sparse-24-bitmask > tests/fixtures/compressed/bitmask24.json
"""
import ast
import enum
import json
import sys
import types
from pathlib import Path

import numpy
import torch

try:  # before the shims below replace the module name "safetensors"
    from safetensors.torch import save as save_safetensors
except ImportError:
    save_safetensors = None

src = Path(sys.argv[1]) / "src" / "compressed_tensors"
FORMAT = sys.argv[2] if len(sys.argv) > 2 else "sparse-bitmask"


def load_functions(path: Path, names: list) -> dict:
    """Execute only the named top-level functions of a source file (the rest needs the whole package)."""
    tree = ast.parse(path.read_text())
    keep = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
    ns = {"torch": torch, "numpy": numpy, "Tensor": torch.Tensor}
    exec(compile(ast.Module(body=keep, type_ignores=[]), str(path), "exec"), ns)
    return ns


helpers = load_functions(src / "utils" / "helpers.py", ["pack_bitmasks", "unpack_bitmasks"])
helpers.update(load_functions(src / "utils" / "safetensors_load.py", ["merge_names"]))


# shims: the registry decorator, the config enum and the package modules the two files import from
class _Registry:
    @classmethod
    def register(cls, name=None):
        return lambda c: c


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


module("compressed_tensors")
module("compressed_tensors.compressors")
module("compressed_tensors.compressors.base", BaseCompressor=_Registry)
class SparsityStructure(enum.Enum):  # the values of config/base.py's enum, which needs pydantic v2
    TWO_FOUR = "2:4"
    UNSTRUCTURED = "unstructured"


formats = types.SimpleNamespace(
    sparse_bitmask=types.SimpleNamespace(value="sparse-bitmask"), sparse_24_bitmask=types.SimpleNamespace(value="sparse-24-bitmask")
)
module("compressed_tensors.config", CompressionFormat=formats, SparsityStructure=SparsityStructure)
module("compressed_tensors.quantization", FP8_E4M3_DATA=types.SimpleNamespace(dtype=torch.float8_e4m3fn if hasattr(torch, "float8_e4m3fn") else None))
module("compressed_tensors.utils", **helpers, get_nested_mappings_from_state_dict=None, get_nested_weight_mappings=None)
module("safetensors", safe_open=None)
module("tqdm", tqdm=lambda it, **kw: it)


def load_module(name: str, path: Path):
    m = types.ModuleType(name)
    sys.modules[name] = m
    exec(compile(path.read_text(), str(path), "exec"), m.__dict__)
    return m


load_module("compressed_tensors.compressors.sparse_compressors.base", src / "compressors" / "sparse_compressors" / "base.py")
sb = load_module("compressed_tensors.compressors.sparse_compressors.sparse_bitmask", src / "compressors" / "sparse_compressors" / "sparse_bitmask.py")
s24 = load_module(
    "compressed_tensors.compressors.sparse_compressors.sparse_24_bitmask", src / "compressors" / "sparse_compressors" / "sparse_24_bitmask.py"
)

g = torch.Generator().manual_seed(0)
cases = []
if FORMAT == "sparse-bitmask":
    # [rows, cols], dtype, fraction zeroed: cols not multiples of 8 (partial last bitmask byte), a row with no
    # zeros, an all-zero row, bf16 and f32
    for name, shape, dtype, frac in [
        ("model.layers.0.self_attn.q_proj.weight", (6, 13), torch.float32, 0.5),
        ("model.layers.0.mlp.down_proj.weight", (5, 16), torch.bfloat16, 0.6),
        ("model.layers.1.self_attn.o_proj.weight", (3, 9), torch.float32, 0.3),
    ]:
        w = torch.randn(shape, generator=g).to(dtype)
        w[torch.rand(shape, generator=g) < frac] = 0
        w[0, :] = torch.randn(shape[1], generator=g).to(dtype) + 3  # no zeros
        w[-1, :] = 0  # all zeros
        cases.append((name, w))
    compressor = sb.BitmaskCompressor.__new__(sb.BitmaskCompressor)
else:
    # 2:4 by magnitude along each row, as our N:M pruning does: cols 12 and 20 (partial last bitmask byte),
    # negative values, f32 and bf16. Every group keeps exactly 2 non-zeros, so torch.topk has no ties to break.
    for name, shape, dtype in [
        ("model.layers.0.self_attn.q_proj.weight", (5, 12), torch.float32),
        ("model.layers.0.mlp.down_proj.weight", (4, 20), torch.bfloat16),
        ("model.layers.1.mlp.gate_proj.weight", (3, 8), torch.float32),
    ]:
        w = torch.randn(shape, generator=g).to(dtype)
        groups = w.view(-1, 4)
        drop = groups.abs().topk(2, dim=1, largest=False).indices
        groups.scatter_(1, drop, 0)
        cases.append((name, w))
    compressor = s24.Sparse24BitMaskCompressor.__new__(s24.Sparse24BitMaskCompressor)
    compressor.config = types.SimpleNamespace(sparsity_structure="2:4")
state = dict(cases)
state["model.layers.0.input_layernorm.weight"] = torch.ones(13)
targets = {n[: -len(".weight")] for n, _ in cases}
out = type(compressor).compress(compressor, state, compression_targets=targets)

DT = {torch.float32: "F32", torch.bfloat16: "BF16", torch.int64: "I64", torch.uint8: "U8", torch.float16: "F16"}


def raw(t: torch.Tensor) -> str:
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes().hex()


whole_file = save_safetensors({n: t.contiguous() for n, t in out.items()}, metadata={"format": "pt"}).hex() if save_safetensors else None

json.dump(
    {
        "source": f"vllm-project/compressed-tensors@927f6d5^ {type(compressor).__name__}.compress (tools/make_compressed_fixture.py)",
        "format": FORMAT,
        "inputs": {n: {"dtype": DT[t.dtype], "shape": list(t.shape), "hex": raw(t)} for n, t in state.items()},
        "targets": sorted(targets),
        "outputs": {n: {"dtype": DT[t.dtype], "shape": list(t.shape), "hex": raw(t)} for n, t in sorted(out.items())},
        "file": whole_file,
    },
    sys.stdout,
    indent=1,
)
