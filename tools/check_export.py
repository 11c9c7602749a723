"""Sanity check of an exported model folder: HF tensor names/shapes from config.json, safetensors re-read,
and docs/besa.md §5 perplexity on the first N windows recomputed from the files alone (must be finite and close
to eval.json's full-set value). Usage: python3 tools/check_export.py public/models/<name> [N] [--write-window-nll]
--write-window-nll stores the first windows' mean CE in eval.json (as train.py now does) for a model exported
before train.py wrote them."""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe import ByteBPE  # noqa: E402
from llama import Config, LlamaForCausalLM, load_safetensors  # noqa: E402
from train import eval_ppl  # noqa: E402


def main() -> None:
    d = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 40
    write_nll = "--write-window-nll" in sys.argv
    cfgd = json.load(open(os.path.join(d, "config.json")))
    cfg = Config(**{k: cfgd[k] for k in Config.__dataclass_fields__})
    sd = load_safetensors(os.path.join(d, "model.safetensors"))
    C, F_, hd = cfg.hidden_size, cfg.intermediate_size, cfg.head_dim
    want = {"model.embed_tokens.weight": [cfg.vocab_size, C], "model.norm.weight": [C], "lm_head.weight": [cfg.vocab_size, C]}
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        want.update({p + "self_attn.q_proj.weight": [cfg.num_attention_heads * hd, C],
                     p + "self_attn.k_proj.weight": [cfg.num_key_value_heads * hd, C],
                     p + "self_attn.v_proj.weight": [cfg.num_key_value_heads * hd, C],
                     p + "self_attn.o_proj.weight": [C, cfg.num_attention_heads * hd],
                     p + "mlp.gate_proj.weight": [F_, C], p + "mlp.up_proj.weight": [F_, C], p + "mlp.down_proj.weight": [C, F_],
                     p + "input_layernorm.weight": [C], p + "post_attention_layernorm.weight": [C]})
    got = {k: list(v.shape) for k, v in sd.items()}
    assert got == want, f"tensor names/shapes differ: {set(got.items()) ^ set(want.items())}"
    model = LlamaForCausalLM(cfg)
    model.load_state_dict(sd, strict=True)
    tok = ByteBPE.from_hf_json(os.path.join(d, "tokenizer.json"))
    ev = json.load(open(os.path.join(d, "eval.json")))
    for name, rel in {"sotu-eval": "public/data/sotu-eval.txt", "wikitext2-test": "public/data/wikitext2-test.txt"}.items():
        ids = np.array(tok.encode(open(rel, encoding="utf-8").read()), dtype=np.int64)
        assert len(ids) == ev[name]["tokens"], (name, len(ids), ev[name]["tokens"])
        r = eval_ppl(model, ids, ev[name]["seqlen"], max_windows=n)
        print(f"{name}: first {n} windows ppl {r['ppl']:.3f} (full set in eval.json: {ev[name]['ppl']:.3f})")
        if write_nll:
            ev[name]["window_nll"] = r["window_nll"]
    if write_nll:
        with open(os.path.join(d, "eval.json"), "w") as f:
            json.dump(ev, f, indent=2)
    print(f"{d}: {len(sd)} tensors, names/shapes OK, {sum(v.numel() for v in sd.values())} values")


if __name__ == "__main__":
    main()
