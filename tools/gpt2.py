"""A GPT-2-architecture decoder in plain PyTorch, exported with HF GPT2LMHeadModel tensor names.
Independent of src/; `make_gpt2_fixtures.py` checks it against transformers' own GPT2LMHeadModel.

Inside, every linear is kept as torch's [out, in] (y = x Wᵀ + b), like llama.py. HF's GPT-2 stores its
Conv1D weights transposed, [in, out] (y = x W + b), and fuses q, k, v into one `c_attn` of [C, 3C]:
`state_for_export` writes that layout, `from_hf_state` reads it back (docs/gpt2.md §1).
Pre-norm block: x + attn(LN1(x)), then + mlp(LN2(·)); LayerNorm has a bias; GELU is the tanh form
("gelu_new"); positions are a learned [P, C] table added to the token embedding; the head is tied.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

LINEARS = ("q", "k", "v", "o", "fc", "proj")  # q/k/v are the three column blocks of c_attn


@dataclass
class Config:
    vocab_size: int
    n_embd: int
    n_layer: int
    n_head: int
    n_positions: int
    layer_norm_epsilon: float = 1e-5
    bos_token_id: int = 0
    eos_token_id: int = 0

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def hf_dict(self) -> dict:
        d = dict(self.__dict__)
        d.update(model_type="gpt2", architectures=["GPT2LMHeadModel"], torch_dtype="float32", n_ctx=self.n_positions,
                 n_inner=None, activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                 initializer_range=0.02, scale_attn_weights=True, tie_word_embeddings=True, use_cache=True)
        return d


def gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


class Block(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        C = cfg.n_embd
        self.cfg = cfg
        self.ln_1 = nn.LayerNorm(C, eps=cfg.layer_norm_epsilon)
        self.ln_2 = nn.LayerNorm(C, eps=cfg.layer_norm_epsilon)
        self.q, self.k, self.v, self.o = (nn.Linear(C, C) for _ in range(4))
        self.fc = nn.Linear(C, 4 * C)
        self.proj = nn.Linear(4 * C, C)

    def forward(self, x, masks: dict | None = None, trace: dict | None = None):
        """x [B, T, C] -> [B, T, C]. masks: optional {linear name: [out, in]} multiplied into W (W⊙M).
        trace: optional dict that receives every intermediate (for golden fixtures)."""
        B, T, C = x.shape
        H, hd = self.cfg.n_head, self.cfg.head_dim

        def lin(name, inp):
            m = getattr(self, name)
            w = m.weight if masks is None or name not in masks else m.weight * masks[name]
            return inp @ w.t() + m.bias

        def rec(k, v):
            if trace is not None:
                trace[k] = v
            return v

        h = rec("attn_norm", self.ln_1(x))
        q = rec("q", lin("q", h)).view(B, T, H, hd).transpose(1, 2)  # [B, H, T, hd]
        k = rec("k", lin("k", h)).view(B, T, H, hd).transpose(1, 2)
        v = rec("v", lin("v", h)).view(B, T, H, hd).transpose(1, 2)
        att = (q @ k.transpose(-1, -2)) / (hd ** 0.5)  # [B, H, T, T]
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        p = rec("attn_probs", torch.softmax(att.masked_fill(~causal, float("-inf")), dim=-1))
        a = rec("attn_out", (p @ v).transpose(1, 2).reshape(B, T, C))
        r1 = rec("resid1", x + rec("o", lin("o", a)))
        m = rec("mlp_norm", self.ln_2(r1))
        f = rec("fc", lin("fc", m))
        g = rec("act", gelu_tanh(f))
        return rec("block_out", r1 + rec("proj", lin("proj", g)))


class GPT2(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.h = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)

    def embed(self, ids):  # ids [B, T] -> [B, T, C]
        return self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))

    def forward(self, ids):  # ids [B, T] -> logits [B, T, V] (tied head: ln_f(x) Eᵀ)
        x = self.embed(ids)
        for blk in self.h:
            x = blk(x)
        return self.ln_f(x) @ self.wte.weight.t()

    def init_weights(self, seed: int):
        """GPT-2's scheme: N(0, 0.02), residual projections (o, proj) scaled by 1/√(2·layers), biases 0, LN 1."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("bias"):
                    p.zero_()
                elif p.dim() == 1:
                    p.fill_(1.0)
                else:
                    s = 0.02 / (2 * self.cfg.n_layer) ** 0.5 if name.endswith(("o.weight", "proj.weight")) else 0.02
                    p.copy_(torch.randn(p.shape, generator=g) * s)


def state_for_export(model: GPT2) -> dict[str, torch.Tensor]:
    """HF GPT2LMHeadModel names: Conv1D weights [in, out], c_attn = [q | k | v] columns; no lm_head (tied)."""
    out: dict[str, torch.Tensor] = {"transformer.wte.weight": model.wte.weight, "transformer.wpe.weight": model.wpe.weight,
                                    "transformer.ln_f.weight": model.ln_f.weight, "transformer.ln_f.bias": model.ln_f.bias}
    for i, b in enumerate(model.h):
        p = f"transformer.h.{i}."
        out[p + "ln_1.weight"], out[p + "ln_1.bias"] = b.ln_1.weight, b.ln_1.bias
        out[p + "ln_2.weight"], out[p + "ln_2.bias"] = b.ln_2.weight, b.ln_2.bias
        out[p + "attn.c_attn.weight"] = torch.cat([b.q.weight, b.k.weight, b.v.weight], dim=0).t()
        out[p + "attn.c_attn.bias"] = torch.cat([b.q.bias, b.k.bias, b.v.bias])
        out[p + "attn.c_proj.weight"], out[p + "attn.c_proj.bias"] = b.o.weight.t(), b.o.bias
        out[p + "mlp.c_fc.weight"], out[p + "mlp.c_fc.bias"] = b.fc.weight.t(), b.fc.bias
        out[p + "mlp.c_proj.weight"], out[p + "mlp.c_proj.bias"] = b.proj.weight.t(), b.proj.bias
    return {k: v.detach().float().contiguous().clone() for k, v in out.items()}


def from_hf_state(cfg: Config, sd: dict[str, torch.Tensor]) -> GPT2:
    """The inverse of state_for_export (accepts names with or without the `transformer.` prefix)."""
    sd = {k.removeprefix("transformer."): v for k, v in sd.items()}
    m = GPT2(cfg)
    C = cfg.n_embd
    with torch.no_grad():
        m.wte.weight.copy_(sd["wte.weight"])
        m.wpe.weight.copy_(sd["wpe.weight"])
        m.ln_f.weight.copy_(sd["ln_f.weight"])
        m.ln_f.bias.copy_(sd["ln_f.bias"])
        for i, b in enumerate(m.h):
            p = f"h.{i}."
            for ln in ("ln_1", "ln_2"):
                getattr(b, ln).weight.copy_(sd[p + ln + ".weight"])
                getattr(b, ln).bias.copy_(sd[p + ln + ".bias"])
            w, bias = sd[p + "attn.c_attn.weight"].t(), sd[p + "attn.c_attn.bias"]  # [3C, C], [3C]
            for j, n in enumerate("qkv"):
                getattr(b, n).weight.copy_(w[j * C:(j + 1) * C])
                getattr(b, n).bias.copy_(bias[j * C:(j + 1) * C])
            for n, hf in (("o", "attn.c_proj"), ("fc", "mlp.c_fc"), ("proj", "mlp.c_proj")):
                getattr(b, n).weight.copy_(sd[p + hf + ".weight"].t())
                getattr(b, n).bias.copy_(sd[p + hf + ".bias"])
    return m
