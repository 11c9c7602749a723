"""Train a small LLaMA-architecture LM on the SOTU train split and export it to public/models/<name>/.

Writes config.json (HF LlamaConfig keys), model.safetensors (F32, HF LlamaForCausalLM names),
tokenizer.json (tools/bpe.py, trained on the train split only), eval.json and README.md.

Evaluation (docs/besa.md §5): the WHOLE file text is encoded with the model's tokenizer in one call, with NO BOS
(and no other special token) anywhere; windows are non-overlapping [w*seqlen, (w+1)*seqlen), remainder
dropped; loss_w = mean CE over the seqlen-1 next-token predictions, nll_w = loss_w * seqlen (quirk);
ppl = exp(Σ nll_w / (nwin * seqlen)).

Example: /usr/bin/python3 tools/train.py --name sotu-llama-4m --steps 4000   (see tools/README.md)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe import ByteBPE, train_bpe  # noqa: E402
import gpt2  # noqa: E402
from llama import Config, LlamaForCausalLM, save_safetensors, state_for_export  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "tools/.cache")
EVAL_SETS = {"sotu-eval": "public/data/sotu-eval.txt", "wikitext2-test": "public/data/wikitext2-test.txt"}


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def get_tokenizer(vocab_size: int, log) -> ByteBPE:
    path = os.path.join(CACHE, f"tok{vocab_size}.json")
    if not os.path.exists(path):
        log(f"training BPE vocab {vocab_size} on the train split")
        tok = train_bpe(open(os.path.join(CACHE, "sotu-train.txt"), encoding="utf-8").read(), vocab_size, log)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(tok.to_hf_json(), f, ensure_ascii=False)
    return ByteBPE.from_hf_json(path)


def encode_file(tok: ByteBPE, rel: str, vocab_size: int) -> np.ndarray:
    cache = os.path.join(CACHE, f"ids{vocab_size}-{os.path.basename(rel)}.npy")
    if os.path.exists(cache):
        return np.load(cache)
    ids = np.array(tok.encode(open(os.path.join(ROOT, rel), encoding="utf-8").read()), dtype=np.int32)
    np.save(cache, ids)
    return ids


@torch.no_grad()
def eval_ppl(model: LlamaForCausalLM, ids: np.ndarray, seqlen: int, batch: int = 16, max_windows: int | None = None) -> dict:
    """docs/besa.md §5 perplexity (see module docstring). Forward in float32, sums in float64."""
    model.eval()
    nwin = len(ids) // seqlen
    if max_windows is not None:
        nwin = min(nwin, max_windows)
    x_all = torch.from_numpy(ids[: nwin * seqlen].astype(np.int64)).view(nwin, seqlen)
    total = 0.0
    window_nll: list[float] = []
    for s in range(0, nwin, batch):
        x = x_all[s: s + batch]
        logits = model(x)  # [b, T, V]
        ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1), reduction="none")
        loss_w = ce.view(x.shape[0], seqlen - 1).double().mean(dim=1)  # mean CE per window
        total += float((loss_w * seqlen).sum())  # × seqlen quirk
        window_nll.extend(float(v) for v in loss_w)
    model.train()
    # window_nll: the first windows' mean CE, so a port can check a few windows instead of the whole set
    return {"ppl": math.exp(total / (nwin * seqlen)), "windows": nwin, "seqlen": seqlen, "tokens": int(len(ids)),
            "window_nll": window_nll[:8]}


def lr_at(step: int, steps: int, warmup: int, lr: float, min_ratio: float) -> float:
    if step < warmup:
        return lr * (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return lr * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * t)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--arch", choices=("llama", "gpt2"), default="llama",
                    help="gpt2: tools/gpt2.py (LayerNorm, GELU, learned positions, tied head; --kv-heads and --ffn unused, MLP is 4×dim)")
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=688)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--wd", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-seqlen", type=int, default=256)
    ap.add_argument("--minutes", type=float, default=0.0,
                    help="wall-clock budget: cosine LR over elapsed/budget, stop when spent (--steps is then a cap)")
    ap.add_argument("--bench", type=int, default=0, help="only time this many steps and print tokens/s")
    ap.add_argument("--init-from", default="", help="continue training from tools/.cache/<name>.pt (fresh optimiser and schedule); "
                    "the previous run.json's steps, tokens and time are added to this run's totals")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    seed_all(a.seed)
    out_dir = os.path.join(ROOT, "public/models", a.name)
    os.makedirs(out_dir, exist_ok=True)
    t_start = time.time()
    log_lines: list[str] = []

    def log(msg: str) -> None:
        line = f"[{time.time() - t_start:7.1f}s] {msg}"
        print(line, flush=True)
        log_lines.append(line)

    tok = get_tokenizer(a.vocab, log)
    train_ids = torch.from_numpy(encode_file(tok, "tools/.cache/sotu-train.txt", a.vocab).astype(np.int64))
    calib_ids = encode_file(tok, "public/data/sotu-calib.txt", a.vocab)
    log(f"train tokens {len(train_ids)}, vocab {tok.vocab_size}")

    if a.arch == "gpt2":
        cfg = gpt2.Config(vocab_size=tok.vocab_size, n_embd=a.dim, n_layer=a.layers, n_head=a.heads, n_positions=a.ctx,
                          bos_token_id=tok.special_id, eos_token_id=tok.special_id)
        model = gpt2.GPT2(cfg)
    else:
        cfg = Config(vocab_size=tok.vocab_size, hidden_size=a.dim, intermediate_size=a.ffn, num_hidden_layers=a.layers,
                     num_attention_heads=a.heads, num_key_value_heads=a.kv_heads, max_position_embeddings=a.ctx,
                     bos_token_id=tok.special_id, eos_token_id=tok.special_id)
        model = LlamaForCausalLM(cfg)
    model.init_weights(a.seed)
    prev = None
    if a.init_from:
        model.load_state_dict(torch.load(os.path.join(CACHE, f"{a.init_from}.pt")))
        with open(os.path.join(ROOT, "public/models", a.init_from, "run.json")) as f:
            prev = json.load(f)
        log(f"continuing from {a.init_from}: {prev['steps']} steps, {prev['tokens_seen']} tokens already")
    n_params = sum(p.numel() for p in model.parameters())
    log(f"params {n_params} ({n_params / 1e6:.3f} M)")

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), eps=1e-8)
    gen = torch.Generator().manual_seed(a.seed + 1)
    steps = a.bench if a.bench else a.steps
    n_train = len(train_ids) - a.ctx - 1
    t0, ema = time.time(), None
    budget = a.minutes * 60.0
    done = 0
    for step in range(steps):
        if budget > 0:
            # time-budgeted run (shared CPU, unknown speed): progress = elapsed / budget drives the cosine
            frac = (time.time() - t0) / budget
            if frac >= 1.0:
                break
            lr = a.lr * (step + 1) / a.warmup if step < a.warmup else a.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        else:
            lr = lr_at(step, steps, a.warmup, a.lr, 0.1)
        for g in opt.param_groups:
            g["lr"] = lr
        starts = torch.randint(0, n_train, (a.batch,), generator=gen)
        win = torch.stack([train_ids[s: s + a.ctx + 1] for s in starts.tolist()])  # [B, ctx+1]
        logits = model(win[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), win[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        done = step + 1
        if (step + 1) % 50 == 0 or step + 1 == steps:
            el = time.time() - t0
            msg = f"step {step + 1}/{steps} loss {ema:.4f} lr {opt.param_groups[0]['lr']:.2e} tok/s {(step + 1) * a.batch * a.ctx / el:.0f}"
            if (step + 1) % 500 == 0 or step + 1 == steps:
                msg += f" calib-ppl(20 win) {eval_ppl(model, calib_ids, a.eval_seqlen, max_windows=20)['ppl']:.3f}"
            log(msg)
    train_s = time.time() - t0
    steps = done
    tokens_seen = steps * a.batch * a.ctx
    log(f"trained {steps} steps, {tokens_seen} tokens in {train_s:.0f} s")
    if a.bench:
        log(f"bench: {tokens_seen / train_s:.0f} tokens/s")
        return

    torch.save(model.state_dict(), os.path.join(CACHE, f"{a.name}.pt"))
    cfg_d = cfg.hf_dict()
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg_d, f, indent=2)
    export = gpt2.state_for_export(model) if a.arch == "gpt2" else state_for_export(model)
    save_safetensors(os.path.join(out_dir, "model.safetensors"), export)
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok.to_hf_json(), f, ensure_ascii=False)
    evals = {}
    for name, rel in EVAL_SETS.items():
        evals[name] = eval_ppl(model, encode_file(tok, rel, a.vocab), a.eval_seqlen)
        log(f"eval {name}: {evals[name]}")
    with open(os.path.join(out_dir, "eval.json"), "w") as f:
        json.dump(evals, f, indent=2)
    run = dict(name=a.name, seed=a.seed, steps=steps, batch=a.batch, ctx=a.ctx, lr=a.lr, warmup=a.warmup,
               wd=a.wd, minutes_budget=a.minutes, tokens_seen=tokens_seen, train_tokens=int(len(train_ids)), train_seconds=round(train_s, 1),
               threads=a.threads, params=n_params, arch=a.arch, final_train_loss_ema=ema, torch=torch.__version__)
    if prev is not None:
        # a continued run: totals over all stages, and each stage kept for the model card
        stages = prev.get("stages", [{k: prev[k] for k in ("steps", "lr", "warmup", "minutes_budget", "tokens_seen", "train_seconds")}])
        stages = stages + [{k: run[k] for k in ("steps", "lr", "warmup", "minutes_budget", "tokens_seen", "train_seconds")}]
        run.update(stages=stages, steps=sum(st["steps"] for st in stages), tokens_seen=sum(st["tokens_seen"] for st in stages),
                   train_seconds=round(sum(st["train_seconds"] for st in stages), 1))
    from model_card import write_card  # local module; keeps this file short
    write_card(out_dir, cfg_d, run, evals)
    log("done")


if __name__ == "__main__":
    main()
