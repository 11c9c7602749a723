"""Golden fixtures for the TS port of GPT-2, from HF transformers' GPT2LMHeadModel and PyTorch autograd.

Writes tests/fixtures/gpt2-tiny/: a tiny random GPT-2 in HF's folder layout (config.json + model.safetensors)
and golden.safetensors (F32) + golden.json computed from it. Model math runs in float64 on the float32
weights (every random input is rounded to F32 before use); tensors are stored as F32.
The reference values come from transformers' GPT2LMHeadModel (eager attention, float64, eval mode);
tools/gpt2.py must agree with it to < 1e-10 everywhere or this script fails. See the fixture's README.md.

Run: python3 tools/make_gpt2_fixtures.py   (needs torch and transformers; not the plain /usr/bin/python3)
"""
from __future__ import annotations

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2  # noqa: E402
from llama import load_safetensors, save_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests/fixtures/gpt2-tiny")
CFG = gpt2.Config(vocab_size=384, n_embd=48, n_layer=2, n_head=4, n_positions=64, layer_norm_epsilon=1e-5,
                  bos_token_id=383, eos_token_id=383)
SEEDS = {"init": 0, "perturb": 1, "ids": 1230, "block_x": 1234, "bwd": 1235, "ppl": 1237}
TOL = 1e-10  # float64 agreement required between transformers and tools/gpt2.py
CHECKS: dict[str, float] = {}


def check(name: str, a: torch.Tensor, b: torch.Tensor, tol: float = TOL) -> None:
    err = float((a.detach() - b.detach()).abs().max())
    CHECKS[name] = err
    print(f"  {name:<44s} max |diff| = {err:.3e}")
    if not err < tol:
        raise SystemExit(f"CHECK FAILED: {name}: max |diff| {err:.3e} >= {tol:.0e}")


def f32(t: torch.Tensor) -> torch.Tensor:
    """Round to float32, then compute in float64."""
    return t.float().double()


def build_model() -> gpt2.GPT2:
    """tools/gpt2.GPT2.init_weights(0), then N(0, 0.1) noise on every bias and every LayerNorm weight/bias.
    Then the matrices are scaled up (q, k ×8, every other matrix and the embeddings ×5) so that attention is far
    from uniform and the mask gradients are well above f32 noise (at GPT-2's N(0, 0.02) a tiny random model's
    logits and gradients are nearly zero, and a test could pass on zeros)."""
    m = gpt2.GPT2(CFG)
    m.init_weights(SEEDS["init"])
    g = torch.Generator().manual_seed(SEEDS["perturb"])
    with torch.no_grad():
        for _, p in m.named_parameters():  # named_parameters order is fixed by the module definition
            if p.dim() == 1:  # biases (all zero) and LayerNorm weights (all one)
                p.add_(torch.randn(p.shape, generator=g) * 0.1)
        for blk in m.h:
            blk.q.weight.mul_(8.0)
            blk.k.weight.mul_(8.0)
            for lin in (blk.v, blk.o, blk.fc, blk.proj):
                lin.weight.mul_(5.0)
        m.wte.weight.mul_(5.0)
        m.wpe.weight.mul_(5.0)
        for p in m.parameters():
            p.copy_(p.float())
    return m


def write_model_folder(m: gpt2.GPT2) -> dict[str, torch.Tensor]:
    os.makedirs(OUT, exist_ok=True)
    sd = gpt2.state_for_export(m)
    assert "lm_head.weight" not in sd and all(k.startswith("transformer.") for k in sd)
    save_safetensors(os.path.join(OUT, "model.safetensors"), sd)
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(CFG.hf_dict(), f, indent=2)
        f.write("\n")
    return sd


def load_hf(folder: str):
    from transformers import GPT2LMHeadModel
    hf, info = GPT2LMHeadModel.from_pretrained(folder, attn_implementation="eager", output_loading_info=True)
    bad = {k: v for k, v in info.items() if v and not (k == "missing_keys" and set(v) <= {"lm_head.weight"})}
    if bad:
        raise SystemExit(f"CHECK FAILED: transformers loading info {bad}")
    hf = hf.double().eval()
    assert hf.lm_head.weight.data_ptr() == hf.transformer.wte.weight.data_ptr(), "lm_head is not tied to wte"
    return hf


def causal_additive(T: int) -> torch.Tensor:  # [1, 1, T, T] additive mask for calling HF blocks directly
    return torch.zeros(T, T, dtype=torch.float64).masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(),
                                                             float("-inf"))[None, None]


def recon_loss(y: torch.Tensor, y_ref: torch.Tensor) -> torch.Tensor:
    """mean_c ||Y[:,c] - Y_ref[:,c]||^2 / ||Y_ref[:,c]||^2 (norms over tokens), y/y_ref [T, C]."""
    return ((y - y_ref).pow(2).sum(0) / y_ref.pow(2).sum(0)).mean()


def hf_masked_block(hb, x: torch.Tensor, masks: dict[str, torch.Tensor]) -> torch.Tensor:
    """transformers' GPT2Block on x [1, T, C] with W⊙M in every linear. Masks are in our [out, in] layout;
    the HF Conv1D weight is [in, out], c_attn's columns are [q | k | v]."""
    C = CFG.n_embd
    W = hb.attn.c_attn.weight  # [C, 3C]
    c_attn = torch.cat([W[:, j * C:(j + 1) * C] * masks[n].t() for j, n in enumerate("qkv")], dim=1)
    params = {"attn.c_attn.weight": c_attn,
              "attn.c_proj.weight": hb.attn.c_proj.weight * masks["o"].t(),
              "mlp.c_fc.weight": hb.mlp.c_fc.weight * masks["fc"].t(),
              "mlp.c_proj.weight": hb.mlp.c_proj.weight * masks["proj"].t()}
    out = torch.func.functional_call(hb, params, (x,), {"attention_mask": causal_additive(x.shape[1])})
    return out[0] if isinstance(out, tuple) else out


def fd_check(blk: gpt2.Block, X, masks, y_ref, dx) -> None:
    """Central finite differences (float64) on a few mask and X entries vs autograd: per linear the entry
    with the largest |dL/dM| plus three fixed ones; per X three fixed entries plus the largest |dL/dX|.
    Relative test: |fd − ad| ≤ 1e-4·|ad| + 1e-11 (a plain absolute test would accept a zero gradient; a wrong one is off by O(1)).
    Step h = 1e-4 for masks (the O(h²) term of the scaled-up weights stays below 1e-6 relative; round-off
    ~ 1e-16·L/h ~ 1e-12) and 1e-5 for X."""
    def L(x, ms):
        return float(recon_loss(blk(x, masks=ms)[0], y_ref))

    def ok(fd, ad, what):
        nonlocal worst_abs, worst_rel
        worst_abs = max(worst_abs, abs(fd - ad))
        worst_rel = max(worst_rel, abs(fd - ad) / max(abs(ad), 1e-300))
        if not abs(fd - ad) <= 1e-4 * abs(ad) + 1e-11:
            raise SystemExit(f"CHECK FAILED: finite differences {what}: fd {fd!r} autograd {ad!r}")
    worst_abs = worst_rel = 0.0
    count = 0
    with torch.no_grad():
        base = {n: m.detach().clone() for n, m in masks.items()}
        h = 1e-4
        for n in gpt2.LINEARS:
            gr = masks[n].grad
            big = divmod(int(gr.abs().argmax()), gr.shape[1])
            for (i, j) in [(0, 0), (3, 5), (gr.shape[0] - 1, gr.shape[1] - 1), big]:
                mp, mm = dict(base), dict(base)
                mp[n] = base[n].clone(); mp[n][i, j] += h
                mm[n] = base[n].clone(); mm[n][i, j] -= h
                ok((L(X, mp) - L(X, mm)) / (2 * h), float(gr[i, j]), f"dL/dM {n}[{i},{j}]")
                count += 1
        h = 1e-5
        big = divmod(int(dx[0].abs().argmax()), dx.shape[2])
        for (t, c) in [(0, 0), (7, 30), (18, 47), big]:
            xp, xm = X.clone(), X.clone()
            xp[0, t, c] += h; xm[0, t, c] -= h
            ok((L(xp, base) - L(xm, base)) / (2 * h), float(dx[0, t, c]), f"dL/dX[{t},{c}]")
            count += 1
    name = f"bwd finite differences ({count} entries)"
    CHECKS[name + " abs"], CHECKS[name + " rel"] = worst_abs, worst_rel
    print(f"  {name:<44s} max |diff| = {worst_abs:.3e}, max relative = {worst_rel:.3e}")


def main() -> None:
    """Default: build the tiny random model into tests/fixtures/gpt2-tiny/ and its golden values beside it.
    --model DIR --out DIR: golden values of an existing HF GPT-2 folder (the bundled model), written to --out."""
    global OUT, CFG
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="", help="an existing HF GPT-2 folder (config.json + model.safetensors)")
    ap.add_argument("--out", default="", help="where golden.{safetensors,json} go (with --model)")
    a = ap.parse_args()
    model_dir = OUT
    if a.model:
        model_dir, OUT = os.path.join(ROOT, a.model), os.path.join(ROOT, a.out)
        os.makedirs(OUT, exist_ok=True)
        cj = json.load(open(os.path.join(model_dir, "config.json")))
        CFG = gpt2.Config(**{k: cj[k] for k in gpt2.Config.__dataclass_fields__})
    torch.manual_seed(0)
    T_: dict[str, torch.Tensor] = {}  # float64 now, F32 on disk
    C, H, V = CFG.n_embd, CFG.n_head, CFG.vocab_size
    J: dict = {"compute": "float64 on the float32 weights of model.safetensors (transformers GPT2LMHeadModel, eager "
                          "attention, eval mode; tools/gpt2.py agrees to < 1e-10), stored as F32",
               "config": CFG.hf_dict(), "seeds": SEEDS}

    # the model folder, then everything is computed from the files as read back
    if a.model:
        sd = load_safetensors(os.path.join(model_dir, "model.safetensors"))
        J["model"] = a.model
    else:
        m0 = build_model()
        sd = write_model_folder(m0)
    print("checks:")
    sd_back = load_safetensors(os.path.join(model_dir, "model.safetensors"))
    assert sorted(sd_back) == sorted(sd)
    ours = gpt2.from_hf_state(CFG, sd_back).double().eval()
    if not a.model:
        for (n, p), (_, p0) in zip(ours.named_parameters(), m0.named_parameters()):
            assert torch.equal(p.float(), p0.float()), f"state_for_export / from_hf_state round trip differs at {n}"
    hf = load_hf(model_dir)
    hf_sd = {k: v for k, v in hf.state_dict().items() if k != "lm_head.weight"}
    assert sorted(hf_sd) == sorted(sd), (sorted(set(hf_sd) ^ set(sd)))
    for k in sd:  # bit-exact: transformers read the same F32 numbers (now float64)
        assert torch.equal(hf_sd[k], sd[k].double()), f"transformers read {k} differently"
    assert hf.transformer.h[0].attn.c_attn.weight.shape == (C, 3 * C)  # HF Conv1D layout [in, out]

    # (a) full-model logits for two seeded id sequences
    g = torch.Generator().manual_seed(SEEDS["ids"])
    seqs = {"seq17": torch.randint(0, V, (17,), generator=g).tolist(), "seq64": torch.randint(0, V, (64,), generator=g).tolist()}
    for name, ids in seqs.items():
        x = torch.tensor([ids])
        with torch.no_grad():
            lg = hf(x).logits[0]
            check(f"logits.{name}: transformers vs gpt2.py", ours(x)[0], lg)
        T_[f"logits.{name}"] = lg
        J[f"ids.{name}"] = ids

    # (b) block 0 forward on a seeded X [19, C]
    g = torch.Generator().manual_seed(SEEDS["block_x"])
    X = f32(torch.randn(1, 19, C, generator=g, dtype=torch.float64))
    blk, hb = ours.h[0], hf.transformer.h[0]
    trace: dict = {}
    with torch.no_grad():
        blk(X, trace=trace)
        mask4 = causal_additive(19)
        out = hb(X, attention_mask=mask4)
        check("block0.block_out: transformers h[0] vs gpt2.py", (out[0] if isinstance(out, tuple) else out)[0],
              trace["block_out"][0])
        # the intermediates through transformers' own submodules (HF layout: Conv1D [in, out], c_attn [q|k|v])
        ln1 = hb.ln_1(X)
        check("block0.attn_norm vs hf ln_1", ln1, trace["attn_norm"])
        qkv = hb.attn.c_attn(ln1)
        for j, n in enumerate("qkv"):
            check(f"block0.{n} vs hf c_attn columns {j * C}:{(j + 1) * C}", qkv[..., j * C:(j + 1) * C], trace[n])
        a_out, a_w = hb.attn(ln1, attention_mask=mask4)
        check("block0.attn_probs vs hf attention weights", a_w, trace["attn_probs"])
        check("block0.o vs hf attn output (after c_proj)", a_out, trace["o"])
        r1 = X + a_out
        ln2 = hb.ln_2(r1)
        check("block0.mlp_norm vs hf ln_2", ln2, trace["mlp_norm"])
        fc = hb.mlp.c_fc(ln2)
        check("block0.fc vs hf c_fc", fc, trace["fc"])
        check("block0.act vs hf act (gelu_new)", hb.mlp.act(fc), trace["act"])
        check("block0.proj vs hf mlp", hb.mlp(ln2), trace["proj"])
    T_["block0.x"] = X[0]
    for k, v in trace.items():
        T_[f"block0.{k}"] = v[0]
    # LayerNorm saved statistics: mean over channels, rstd = 1/sqrt(biased var + eps)
    for tag, src, ln in (("ln1", X[0], blk.ln_1), ("ln2", trace["resid1"][0], blk.ln_2)):
        mu = src.mean(-1)
        rstd = 1.0 / torch.sqrt((src - mu[:, None]).pow(2).mean(-1) + CFG.layer_norm_epsilon)
        with torch.no_grad():
            check(f"block0.{tag}_mean/rstd reproduce the LayerNorm",
                  (src - mu[:, None]) * rstd[:, None] * ln.weight + ln.bias, ln(src))
        T_[f"block0.{tag}_mean"], T_[f"block0.{tag}_rstd"] = mu, rstd

    # (c) block backward with 0/1 masks (keep prob 0.6) on every linear, recon loss
    g = torch.Generator().manual_seed(SEEDS["bwd"])
    masks = {}
    # the bundled model's matrices are large: there only q and o get random masks (the others stay at M = 1)
    # and only theirs are stored, so the file stays ~1 MB
    stored = gpt2.LINEARS if not a.model else ("q", "o")
    for n in gpt2.LINEARS:
        w = getattr(blk, n).weight  # [out, in]
        keep = (torch.rand(w.shape, generator=g, dtype=torch.float64) < 0.6).double()
        masks[n] = (keep if n in stored else torch.ones_like(keep)).requires_grad_(True)
    J["bwd.masked"] = list(stored)
    y_ref = f32(torch.randn(19, C, generator=g, dtype=torch.float64))
    Xg = X.clone().requires_grad_(True)
    y = blk(Xg, masks=masks)[0]
    loss = recon_loss(y, y_ref)
    loss.backward()
    # the same through transformers' block with its own autograd
    hmasks = {n: m.detach().clone().requires_grad_(True) for n, m in masks.items()}
    Xh = X.clone().requires_grad_(True)
    yh = hf_masked_block(hb, Xh, hmasks)[0]
    lh = recon_loss(yh, y_ref)
    lh.backward()
    check("bwd.y: transformers vs gpt2.py", yh, y)
    check("bwd.loss: transformers vs gpt2.py", lh, loss)
    check("bwd.dx: transformers vs gpt2.py", Xh.grad, Xg.grad)
    for n in gpt2.LINEARS:
        check(f"bwd.dmask.{n}: transformers vs gpt2.py", hmasks[n].grad, masks[n].grad)
    fd_check(blk, X, masks, y_ref, Xg.grad)
    J["bwd.loss"] = loss.item()
    T_["bwd.y_ref"], T_["bwd.y"], T_["bwd.dx"] = y_ref, y.detach(), Xg.grad[0]
    T_["bwd.loss"] = loss.detach().reshape(1)
    for n in stored:
        T_[f"bwd.mask.{n}"] = masks[n].detach()
        T_[f"bwd.dmask.{n}"] = masks[n].grad

    # (d) perplexity, docs/besa.md §5 / tools/train.py eval_ppl, on a seeded random id stream
    seqlen, nwin = 32, 4
    g = torch.Generator().manual_seed(SEEDS["ppl"])
    stream = torch.randint(0, V, (nwin * seqlen,), generator=g)
    xw = stream[: (len(stream) // seqlen) * seqlen].view(-1, seqlen)
    with torch.no_grad():
        lg = hf(xw).logits
        check("ppl logits: transformers vs gpt2.py", ours(xw), lg)
    ce = F.cross_entropy(lg[:, :-1].reshape(-1, V), xw[:, 1:].reshape(-1), reduction="none").view(nwin, seqlen - 1)
    window_nll = ce.mean(1)  # mean CE over the seqlen-1 predictions of each window
    total = float((window_nll * seqlen).sum())  # the "× seqlen" weighting
    ppl = math.exp(total / (nwin * seqlen))
    J["ppl"] = {"seqlen": seqlen, "windows": nwin, "ids": stream.tolist(), "window_nll": window_nll.tolist(),
                "nll_sum": total, "ppl": ppl}
    print(f"  ppl = {ppl:.6f} (ln V = {math.log(V):.4f}, exp = {V})  window_nll = {[round(v, 5) for v in window_nll.tolist()]}")

    save_safetensors(os.path.join(OUT, "golden.safetensors"), {k: v.detach().double() for k, v in T_.items()})
    J["checks_max_abs_diff"] = CHECKS
    J["tensors"] = {k: list(v.shape) for k, v in sorted(T_.items())}
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(J, f, indent=1)
    for fn in sorted(os.listdir(OUT)):
        print(f"{fn:<20s} {os.path.getsize(os.path.join(OUT, fn)):>9d} bytes")
    print(f"wrote {len(T_)} golden tensors; all checks passed")


if __name__ == "__main__":
    main()
