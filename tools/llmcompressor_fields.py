"""tests/fixtures/llmcompressor/fields.json: the fields llm-compressor's pruning modifiers accept, read from its
source, for tests/unit/prune/recipe.test.ts (every field our recipes write must exist on the modifier with a
compatible type, and every required field must be written: the modifiers are pydantic models with extra="forbid").

It parses, without importing (no torch here), the class bodies of Modifier, SparsityModifierBase,
SparseGPTModifier, WandaPruningModifier and MagnitudePruningModifier: each annotated class attribute that is a
public field (no leading "_", no trailing "_": recipe serialisation skips those), its annotation as written, and
whether it has a default. It also records the suffixes Recipe.from_dict looks for (`<name>_stage`,
`<name>_modifiers`).

Run (any python3; a git mirror or checkout of vllm-project/llm-compressor):
  python3 tools/llmcompressor_fields.py GIT_DIR [COMMIT] > tests/fixtures/llmcompressor/fields.json
"""
import ast
import json
import subprocess
import sys

git_dir = sys.argv[1]
commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
commit = subprocess.check_output(["git", "-C", git_dir, "rev-parse", commit], text=True).strip()


def source(path: str) -> str:
    return subprocess.check_output(["git", "-C", git_dir, "show", f"{commit}:{path}"], text=True)


FILES = {
    "Modifier": "src/llmcompressor/modifiers/modifier.py",
    "SparsityModifierBase": "src/llmcompressor/modifiers/pruning/sparsegpt/sgpt_base.py",
    "SparseGPTModifier": "src/llmcompressor/modifiers/pruning/sparsegpt/base.py",
    "WandaPruningModifier": "src/llmcompressor/modifiers/pruning/wanda/base.py",
    "MagnitudePruningModifier": "src/llmcompressor/modifiers/pruning/magnitude/base.py",
}

classes = {}
for name, path in FILES.items():
    tree = ast.parse(source(path))
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    fields = {}
    for item in node.body:
        if not (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)):
            continue
        field = item.target.id
        if field.startswith("_") or field.endswith("_") or field == "model_config":
            continue
        fields[field] = {"annotation": ast.unparse(item.annotation), "required": item.value is None}
    classes[name] = {"file": path, "bases": [ast.unparse(b) for b in node.bases], "fields": fields}

# the suffixes Recipe.from_dict matches on stage and modifier-group keys
recipe_tree = ast.parse(source("src/llmcompressor/recipe/recipe.py"))
from_dict = next(
    f for c in recipe_tree.body if isinstance(c, ast.ClassDef) and c.name == "Recipe" for f in c.body if getattr(f, "name", "") == "from_dict"
)
suffixes = [
    n.args[0].value
    for n in ast.walk(from_dict)
    if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "endswith" and isinstance(n.args[0], ast.Constant)
]

json.dump(
    {
        "source": f"vllm-project/llm-compressor@{commit} (tools/llmcompressor_fields.py)",
        "recipeKeySuffixes": suffixes,
        "classes": classes,
    },
    sys.stdout,
    indent=1,
)
print()
