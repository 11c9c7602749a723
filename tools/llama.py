"""A LLaMA-architecture decoder in plain PyTorch, with HF LlamaForCausalLM tensor names, plus a
hand-written safetensors reader/writer. Independent of src/ (it is the golden reference for the TS port).

Shapes: x is [B, T, C]; a linear's weight W is [out, in] and y = x Wᵀ (no biases, as in LLaMA).
RoPE uses the HF "rotate half" layout (pairs i and i + D/2). GQA: query head h reads KV head
h // (nHeads / nKvHeads) (HF repeat_kv).
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass
class Config:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    max_position_embeddings: int
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    tie_word_embeddings: bool = False
    bos_token_id: int = 0
    eos_token_id: int = 0

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    def hf_dict(self) -> dict:
        d = dict(self.__dict__)
        d.update(model_type="llama", architectures=["LlamaForCausalLM"], torch_dtype="float32",
                 head_dim=self.head_dim, hidden_act="silu", attention_bias=False, mlp_bias=False,
                 initializer_range=0.02, rope_scaling=None, use_cache=True)
        return d


class RMSNorm(nn.Module):
    def __init__(self, c: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.eps = eps

    def forward(self, x):  # [.., C]
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rope_cos_sin(T: int, hd: int, theta: float, dtype=torch.float32):
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))  # [hd/2]
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)  # [T, hd/2]
    emb = torch.cat([freqs, freqs], dim=-1)  # [T, hd]
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def apply_rope(x, cos, sin):  # x [B, H, T, hd]; cos/sin [T, hd]
    return x * cos + rotate_half(x) * sin


class Block(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        C, F_, hd = cfg.hidden_size, cfg.intermediate_size, cfg.head_dim
        self.cfg = cfg
        self.input_layernorm = RMSNorm(C, cfg.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(C, cfg.rms_norm_eps)
        self.self_attn = nn.Module()
        self.self_attn.q_proj = nn.Linear(C, cfg.num_attention_heads * hd, bias=False)
        self.self_attn.k_proj = nn.Linear(C, cfg.num_key_value_heads * hd, bias=False)
        self.self_attn.v_proj = nn.Linear(C, cfg.num_key_value_heads * hd, bias=False)
        self.self_attn.o_proj = nn.Linear(cfg.num_attention_heads * hd, C, bias=False)
        self.mlp = nn.Module()
        self.mlp.gate_proj = nn.Linear(C, F_, bias=False)
        self.mlp.up_proj = nn.Linear(C, F_, bias=False)
        self.mlp.down_proj = nn.Linear(F_, C, bias=False)

    def linear(self, name: str) -> nn.Linear:
        return getattr(self.self_attn if name in LINEARS[:4] else self.mlp, name)

    def forward(self, x, cos, sin, masks: dict | None = None, trace: dict | None = None):
        """x [B, T, C] -> [B, T, C]. masks: optional {linear name: [out, in]} multiplied into W (BESA W⊙M).
        trace: optional dict that receives every intermediate (for golden fixtures)."""
        cfg = self.cfg
        B, T, C = x.shape
        H, KV, hd = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim

        def lin(name, inp):
            w = self.linear(name).weight
            if masks is not None and name in masks:
                w = w * masks[name]
            return inp @ w.t()

        def rec(k, v):
            if trace is not None:
                trace[k] = v
            return v

        h = rec("attn_norm", self.input_layernorm(x))
        q = rec("q", lin("q_proj", h))  # [B, T, H*hd]
        k = rec("k", lin("k_proj", h))  # [B, T, KV*hd]
        v = rec("v", lin("v_proj", h))
        q = q.view(B, T, H, hd).transpose(1, 2)  # [B, H, T, hd]
        k = k.view(B, T, KV, hd).transpose(1, 2)
        v = v.view(B, T, KV, hd).transpose(1, 2)
        q = apply_rope(q, cos[:T], sin[:T])
        k = apply_rope(k, cos[:T], sin[:T])
        rec("q_rope", q.transpose(1, 2).reshape(B, T, H * hd))
        rec("k_rope", k.transpose(1, 2).reshape(B, T, KV * hd))
        rep = H // KV
        k = k.repeat_interleave(rep, dim=1)  # [B, H, T, hd]
        v = v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-1, -2)) / (hd ** 0.5)  # [B, H, T, T]
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        att = att.masked_fill(~causal, float("-inf"))
        p = rec("attn_probs", torch.softmax(att, dim=-1))
        a = rec("attn_out", (p @ v).transpose(1, 2).reshape(B, T, H * hd))  # before o_proj
        o = rec("o", lin("o_proj", a))
        r1 = rec("resid1", x + o)
        m = rec("mlp_norm", self.post_attention_layernorm(r1))
        g = rec("gate", lin("gate_proj", m))
        u = rec("up", lin("up_proj", m))
        gu = rec("act", F.silu(g) * u)
        d = rec("down", lin("down_proj", gu))
        return rec("block_out", r1 + d)


class LlamaForCausalLM(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.model = nn.Module()
        self.model.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.model.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.num_hidden_layers))
        self.model.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight
        self._rope = {}

    def rope(self, T, dtype):
        key = (T, dtype)
        if key not in self._rope:
            self._rope[key] = rope_cos_sin(T, self.cfg.head_dim, self.cfg.rope_theta, dtype)
        return self._rope[key]

    def forward(self, ids):  # ids [B, T] -> logits [B, T, V]
        x = self.model.embed_tokens(ids)
        cos, sin = self.rope(ids.shape[1], x.dtype)
        for blk in self.model.layers:
            x = blk(x, cos, sin)
        return self.lm_head(self.model.norm(x))

    def init_weights(self, seed: int):
        g = torch.Generator().manual_seed(seed)
        std = 0.02
        with torch.no_grad():
            for name, p in self.named_parameters():
                if p.dim() == 1:
                    p.fill_(1.0)
                else:
                    s = std / (2 * self.cfg.num_hidden_layers) ** 0.5 if name.endswith(("o_proj.weight", "down_proj.weight")) else std
                    p.copy_(torch.randn(p.shape, generator=g) * s)


# ---------------------------------------------------------------- safetensors (hand-written)
def save_safetensors(path: str, tensors: dict[str, torch.Tensor], dtype: str = "F32") -> None:
    """8-byte little-endian header length, JSON header (space-padded to 8 bytes), raw little-endian data."""
    np_dtype = {"F32": "<f4", "F64": "<f8", "I32": "<i4"}[dtype]
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype(np_dtype))
        b = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def load_safetensors(path: str) -> dict[str, torch.Tensor]:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": "<f4", "F64": "<f8", "I32": "<i4"}[info["dtype"]]
        s, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[s:e], dtype=dt).reshape(info["shape"]).copy())
    return out


def state_for_export(model: LlamaForCausalLM) -> dict[str, torch.Tensor]:
    """HF names; lm_head.weight is always written (a copy of the embedding when tied)."""
    sd = {k: v.detach().float().clone() for k, v in model.state_dict().items()}
    sd["lm_head.weight"] = model.lm_head.weight.detach().float().clone()
    return sd
