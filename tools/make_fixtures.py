"""Golden fixtures for the TS/WGSL port, from the PyTorch reference (tools/llama.py, tools/fixtures_algos.py).

Writes tests/fixtures/micro/golden.safetensors (F32) + golden.json and
tests/fixtures/tokenizer/default_ids.json. All model math runs in float64 on the float32 weights of
public/models/micro/model.safetensors and is stored as F32. See tests/fixtures/micro/README.md.
Seed: torch.Generator seeded with 1234 (inputs), fixed per section below.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe import ByteBPE  # noqa: E402
from fixtures_algos import (prodigy_run, sparsegpt_hessian, sparsegpt_prune, wanda_mask,  # noqa: E402
                            wanda_mask_nm, wanda_metric)
from llama import LINEARS, Config, LlamaForCausalLM, load_safetensors, rope_cos_sin, save_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MICRO = os.path.join(ROOT, "public/models/micro")
OUT = os.path.join(ROOT, "tests/fixtures/micro")
SHORT = {"q_proj": "q", "k_proj": "k", "v_proj": "v", "o_proj": "o", "gate_proj": "gate", "up_proj": "up", "down_proj": "down"}


def load_micro() -> tuple[LlamaForCausalLM, Config]:
    cfgd = json.load(open(os.path.join(MICRO, "config.json")))
    cfg = Config(**{k: cfgd[k] for k in Config.__dataclass_fields__})
    model = LlamaForCausalLM(cfg)
    sd = load_safetensors(os.path.join(MICRO, "model.safetensors"))
    model.load_state_dict(sd, strict=True)
    return model.double().eval(), cfg


def numpy_block_check(blk, x: np.ndarray, cfg: Config, trace: dict) -> None:
    """Independent second formulation (per-head loops, complex-number RoPE, explicit GQA index) to
    catch layout bugs in tools/llama.py before it becomes the golden reference."""
    W = {n: blk.linear(n).weight.detach().numpy() for n in LINEARS}
    eps, H, KV, hd = cfg.rms_norm_eps, cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
    T = x.shape[0]

    def rms(a, w):
        return w * a / np.sqrt((a * a).mean(-1, keepdims=True) + eps)

    def rope(a):  # a [T, hd], pairs (i, i+hd/2) rotate by angle pos*theta^(-2i/hd)
        z = a[:, : hd // 2] + 1j * a[:, hd // 2:]
        ang = np.arange(T)[:, None] * cfg.rope_theta ** (-np.arange(0, hd, 2) / hd)[None, :]
        z = z * np.exp(1j * ang)
        return np.concatenate([z.real, z.imag], axis=1)

    h = rms(x, blk.input_layernorm.weight.detach().numpy())
    q, k, v = h @ W["q_proj"].T, h @ W["k_proj"].T, h @ W["v_proj"].T
    out = np.zeros((T, H * hd))
    for hh in range(H):
        kv = hh // (H // KV)
        qh, kh, vh = rope(q[:, hh * hd:(hh + 1) * hd]), rope(k[:, kv * hd:(kv + 1) * hd]), v[:, kv * hd:(kv + 1) * hd]
        s = qh @ kh.T / np.sqrt(hd) + np.triu(np.full((T, T), -np.inf), 1)
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        out[:, hh * hd:(hh + 1) * hd] = p @ vh
    r1 = x + out @ W["o_proj"].T
    m = rms(r1, blk.post_attention_layernorm.weight.detach().numpy())
    g, u = m @ W["gate_proj"].T, m @ W["up_proj"].T
    y = r1 + ((g / (1 + np.exp(-g))) * u) @ W["down_proj"].T
    err = np.abs(y - trace["block_out"][0].detach().numpy()).max()
    assert err < 1e-10, f"numpy cross-check of block forward failed: {err}"
    print(f"numpy cross-check of block 0 forward: max |diff| = {err:.2e}")


def fd_check(blk, X, cos, sin, masks, y_ref, dx, loss) -> None:
    """Central finite differences (float64) on a few mask entries and X entries vs autograd."""
    def L(x, ms):
        y = blk(x, cos, sin, masks=ms)[0]
        return float(((y - y_ref).pow(2).sum(0) / y_ref.pow(2).sum(0)).mean())
    h = 1e-6
    with torch.no_grad():
        base = {n: m.detach().clone() for n, m in masks.items()}
        for n in ("q_proj", "v_proj", "down_proj"):
            for (i, j) in [(0, 0), (3, 5)]:
                mp, mm = dict(base), dict(base)
                mp[n] = base[n].clone(); mp[n][i, j] += h
                mm[n] = base[n].clone(); mm[n][i, j] -= h
                fd = (L(X, mp) - L(X, mm)) / (2 * h)
                assert abs(fd - float(masks[n].grad[i, j])) < 1e-6 * (1 + abs(fd)), (n, i, j, fd)
        for (t, c) in [(0, 0), (18, 7)]:
            xp, xm = X.clone(), X.clone()
            xp[0, t, c] += h; xm[0, t, c] -= h
            fd = (L(xp, base) - L(xm, base)) / (2 * h)
            assert abs(fd - float(dx[0, t, c])) < 1e-6 * (1 + abs(fd)), (t, c, fd)
    print("finite-difference check of dL/dM and dL/dX: ok")


def main() -> None:
    torch.manual_seed(0)
    model, cfg = load_micro()
    tok = ByteBPE.from_hf_json(os.path.join(MICRO, "tokenizer.json"))
    T_ = {}  # tensors to store (float64 now, F32 on disk)
    J = {"compute": "float64 on the float32 micro weights, stored as F32", "config": cfg.hf_dict()}
    C = cfg.hidden_size

    # (a) logits for two token sequences taken from sotu-eval (micro tokenizer)
    eval_ids = tok.encode(open(os.path.join(ROOT, "public/data/sotu-eval.txt"), encoding="utf-8").read()[:20000])
    seqs = {"seq17": eval_ids[100:117], "seq64": eval_ids[1000:1064]}
    for name, ids in seqs.items():
        with torch.no_grad():
            T_[f"logits.{name}"] = model(torch.tensor([ids]))[0]
        J[f"ids.{name}"] = ids

    # (b) block 0 forward on seeded X [19, C]
    g = torch.Generator().manual_seed(1234)
    X = torch.randn(1, 19, C, generator=g, dtype=torch.float64).float().double()  # F32-representable
    blk = model.model.layers[0]
    cos, sin = rope_cos_sin(19, cfg.head_dim, cfg.rope_theta, torch.float64)
    trace: dict = {}
    with torch.no_grad():
        blk(X, cos, sin, trace=trace)
    numpy_block_check(blk, X[0].numpy(), cfg, trace)
    T_["block0.x"] = X[0]
    T_["rope.cos"], T_["rope.sin"] = cos, sin
    for k, v in trace.items():
        T_[f"block0.{k}"] = v[0]

    # (c) block backward with 0/1 masks (keep prob 0.6) on every linear, relative-L2 loss (docs/besa.md §1.6)
    g = torch.Generator().manual_seed(1235)
    masks = {}
    for n in LINEARS:
        w = blk.linear(n).weight
        masks[n] = (torch.rand(w.shape, generator=g, dtype=torch.float64) < 0.6).double().requires_grad_(True)
    y_ref = torch.randn(19, C, generator=g, dtype=torch.float64).float().double()
    Xg = X.clone().requires_grad_(True)
    y = blk(Xg, cos, sin, masks=masks)[0]
    nc = y_ref.pow(2).sum(0)  # ||Y_ref[:, c]||²
    loss = ((y - y_ref).pow(2).sum(0) / nc).mean()
    loss.backward()
    J["bwd.loss"] = float(loss)
    fd_check(blk, X, cos, sin, masks, y_ref, Xg.grad, loss)
    T_["bwd.y_ref"], T_["bwd.y"], T_["bwd.dx"] = y_ref, y.detach(), Xg.grad[0]
    T_["bwd.loss"] = loss.detach().reshape(1)
    for n in LINEARS:
        T_[f"bwd.mask.{SHORT[n]}"] = masks[n].detach()
        T_[f"bwd.dmask.{SHORT[n]}"] = masks[n].grad

    # (d) Prodigy on the toy sparsity-allocation problem
    cand = torch.arange(100, -1, -1, dtype=torch.float64) / 100  # 1.00 .. 0.00
    targets = [torch.tensor([0.3, 0.55, 0.6], dtype=torch.float64), torch.tensor(0.45, dtype=torch.float64)]

    def toy_loss(ts):
        return sum(((torch.softmax(torch.sigmoid(t), dim=-1) @ cand - tg) ** 2).sum() for t, tg in zip(ts, targets))

    recs = prodigy_run([torch.zeros(3, 101, dtype=torch.float64), torch.zeros(101, dtype=torch.float64)], toy_loss, 8)
    J["prodigy"] = {"d0": 1e-6, "lr": 1.0, "betas": [0.9, 0.999], "beta3": 0.999 ** 0.5, "eps": 1e-8, "d_coef": 5.0,
                    "targets": [[0.3, 0.55, 0.6], 0.45], "steps": len(recs),
                    "d": [r["d"] for r in recs], "d_hat": [r["d_hat"] for r in recs], "num": [r["num"] for r in recs],
                    "den": [r["den"] for r in recs], "loss_before_step": [r["loss"] for r in recs]}
    T_["prodigy.cand"] = cand
    for i, r in enumerate(recs):
        T_[f"prodigy.step{i + 1}.theta0"], T_[f"prodigy.step{i + 1}.theta1"] = r["theta"]

    # (e) Wanda and SparseGPT on block 0 q_proj / down_proj, plus a 260-column synthetic case (2 column blocks)
    g = torch.Generator().manual_seed(1236)
    cases = {"q": blk.linear("q_proj").weight.detach(), "down": blk.linear("down_proj").weight.detach()}
    synth_w = torch.randn(20, 260, generator=g, dtype=torch.float64) * 0.1
    cases["synth"] = synth_w.float().double()
    for name, W in cases.items():
        nin = W.shape[1]
        ntok = 80 if name == "synth" else 64
        scale = torch.exp(0.7 * torch.randn(nin, generator=g, dtype=torch.float64))  # uneven feature norms
        Xc = (torch.randn(ntok, nin, generator=g, dtype=torch.float64) * scale).float().double()
        S = wanda_metric(W, Xc)
        H = sparsegpt_hessian(Xc)
        T_[f"prune.{name}.w"], T_[f"prune.{name}.x"], T_[f"prune.{name}.wanda_metric"] = W, Xc, S
        T_[f"prune.{name}.wanda_keep50"] = wanda_mask(S, 0.5)
        T_[f"prune.{name}.wanda_keep24"] = wanda_mask_nm(S, 2, 4)
        if name != "synth":  # the 260x260 H is cheap to rebuild from x and would dominate the file size
            T_[f"prune.{name}.sgpt_h"] = H
        assert (T_[f"prune.{name}.wanda_keep50"].sum(1) == nin - nin // 2).all()
        assert (T_[f"prune.{name}.wanda_keep24"].view(W.shape[0], -1, 4).sum(-1) == 2).all()
        for tag, kw in {"50": dict(sparsity=0.5), "24": dict(sparsity=0.5, prunen=2, prunem=4)}.items():
            Wp, keep, losses = sparsegpt_prune(W, H, **kw)
            T_[f"prune.{name}.sgpt_w{tag}"], T_[f"prune.{name}.sgpt_keep{tag}"] = Wp, keep
            T_[f"prune.{name}.sgpt_losses{tag}"] = losses
            J[f"prune.{name}.sgpt_zeros{tag}"] = int((Wp == 0).sum())

    os.makedirs(OUT, exist_ok=True)
    save_safetensors(os.path.join(OUT, "golden.safetensors"), {k: v.detach().double() for k, v in T_.items()})
    J["tensors"] = {k: list(v.shape) for k, v in sorted(T_.items())}
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(J, f, indent=1)
    print(f"wrote {len(T_)} tensors, {os.path.getsize(os.path.join(OUT, 'golden.safetensors'))} bytes")


if __name__ == "__main__":
    main()
