"""tests/fixtures/compressed/sparsity_config.json: what compressed-tensors' own sparsity config classes dump
(`BitmaskConfig` / `Sparse24BitMaskConfig`.model_dump(), the block llm-compressor writes into config.json as
quantization_config.sparsity_config), for tests/unit/model/compressed.test.ts.

It loads only the library's registry and config source files (registry/registry.py, config/base.py,
config/sparse_bitmask.py, config/sparse_24_bitmask.py) into stand-in packages, because the package's
__init__ pulls in transformers and float8 torch dtypes that Debian's torch 1.13 lacks. Needs pydantic v2.

Run (e.g. a venv with --system-site-packages and `pip install "pydantic>=2"`; a checkout CT of
vllm-project/compressed-tensors at the parent of 927f6d5, as for make_compressed_fixture.py):
  python tools/make_sparsity_config_fixture.py CT > tests/fixtures/compressed/sparsity_config.json
"""
import json
import subprocess
import sys
import types
from pathlib import Path

import pydantic

root = Path(sys.argv[1])
src = root / "src" / "compressed_tensors"


def package(name: str, files: list) -> types.ModuleType:
    m = types.ModuleType(name)
    m.__path__ = []
    sys.modules[name] = m
    for f in files:  # executed in order into the one namespace, as the package's __init__ star-imports them
        exec(compile(f.read_text(), str(f), "exec"), m.__dict__)
    return m


package("compressed_tensors", [])
package("compressed_tensors.registry", [src / "registry" / "registry.py"])
config = package("compressed_tensors.config", [src / "config" / "base.py"])
for f in ["sparse_bitmask.py", "sparse_24_bitmask.py"]:
    exec(compile((src / "config" / f).read_text(), f, "exec"), config.__dict__)

commit = subprocess.check_output(["git", "-C", str(root), "rev-parse", "HEAD"], text=True).strip()
common = dict(global_sparsity=0.4, targets=["Linear"], ignore=["lm_head"])
json.dump(
    {
        "source": f"vllm-project/compressed-tensors@{commit} config classes, pydantic {pydantic.VERSION} (tools/make_sparsity_config_fixture.py)",
        "global_sparsity": 0.4,
        "sparse-bitmask": config.BitmaskConfig(sparsity_structure="unstructured", **common).model_dump(),
        "sparse-24-bitmask": config.Sparse24BitMaskConfig(**common).model_dump(),
    },
    sys.stdout,
    indent=1,
)
print()
