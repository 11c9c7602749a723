"""Reference implementations used only to produce golden fixtures: Prodigy (docs/besa.md §1.7), Wanda (docs/besa.md §3),
SparseGPT fasterprune (docs/besa.md §4). Written from the spec / the reference code's published algorithm,
computed in float64."""
from __future__ import annotations

import math

import torch


def prodigy_run(params: list[torch.Tensor], loss_fn, steps: int, d0=1e-6, lr=1.0, betas=(0.9, 0.999),
                beta3=None, eps=1e-8, d_coef=5.0, weight_decay=0.0):
    """Prodigy with decouple=True, use_bias_correction=False, safeguard_warmup=False, growth_rate=inf,
    one param group (d shared by all tensors). Returns per-step records."""
    b1, b2 = betas
    beta3 = math.sqrt(b2) if beta3 is None else beta3
    theta = [p.detach().clone() for p in params]
    p0 = [t.clone() for t in theta]
    m = [torch.zeros_like(t) for t in theta]
    v = [torch.zeros_like(t) for t in theta]
    s = [torch.zeros_like(t) for t in theta]
    d, d_max, num = d0, d0, 0.0
    recs = []
    for _ in range(steps):
        ts = [t.clone().requires_grad_(True) for t in theta]
        loss = loss_fn(ts)
        grads = torch.autograd.grad(loss, ts)
        dlr = d * lr  # bias_correction = 1
        num *= beta3
        den = 0.0
        for i, g in enumerate(grads):
            num += (d / d0) * dlr * float(torch.dot(g.flatten(), (p0[i] - theta[i]).flatten()))
            m[i] = b1 * m[i] + d * (1 - b1) * g
            v[i] = b2 * v[i] + d * d * (1 - b2) * g * g
            s[i] = beta3 * s[i] + (d / d0) * dlr * g
            den += float(s[i].abs().sum())
        if den == 0:
            recs.append(dict(loss=float(loss), d=d, d_hat=None, num=num, den=den, theta=[t.clone() for t in theta]))
            continue
        d_hat = d_coef * num / den
        d_max = max(d_max, d_hat)
        d = d_max  # growth_rate = inf
        for i in range(len(theta)):
            if weight_decay != 0:
                theta[i] = theta[i] - weight_decay * dlr * theta[i]
            theta[i] = theta[i] - dlr * m[i] / (v[i].sqrt() + d * eps)  # old dlr, new d in eps term
        recs.append(dict(loss=float(loss), d=d, d_hat=d_hat, num=num, den=den, theta=[t.clone() for t in theta]))
    return recs


def wanda_metric(W: torch.Tensor, X: torch.Tensor, nseq: int = 1) -> torch.Tensor:
    """W [out, in], X [N, in] (all calibration tokens) -> S [out, in] = |W| * sqrt(Σ_t x_tj² / nseq)."""
    scaler = (X.double() ** 2).sum(0) / nseq
    return W.double().abs() * scaler.sqrt().reshape(1, -1)


def wanda_mask(S: torch.Tensor, sparsity: float) -> torch.Tensor:
    """Per-row: prune the int(in*sparsity) lowest scores (stable ascending sort). Returns keep mask (1 = kept)."""
    keep = torch.ones_like(S)
    idx = torch.sort(S, dim=-1, stable=True)[1][:, : int(S.shape[1] * sparsity)]
    keep.scatter_(1, idx, 0.0)
    return keep


def wanda_mask_nm(S: torch.Tensor, n: int, m: int) -> torch.Tensor:
    """N:M ('2:4' = 2 zeros in every 4 consecutive input columns, per row). Returns keep mask."""
    keep = torch.ones_like(S)
    for ii in range(0, S.shape[1], m):
        tmp = S[:, ii: ii + m]
        keep.scatter_(1, ii + torch.topk(tmp, n, dim=1, largest=False)[1], 0.0)
    return keep


def sparsegpt_hessian(X: torch.Tensor, nseq: int = 1) -> torch.Tensor:
    """X [N, in] tokens of nseq sequences added in one add_batch call -> H = (2/nseq) XᵀX (float64)."""
    X = X.double()
    return (2.0 / nseq) * X.t() @ X


def sparsegpt_prune(W: torch.Tensor, H: torch.Tensor, sparsity: float, prunen: int = 0, prunem: int = 0,
                    blocksize: int = 128, percdamp: float = 0.01):
    """fasterprune in float64. Returns (pruned W, keep mask, Losses per row)."""
    W = W.clone().double()
    H = H.clone().double()
    rows, cols = W.shape
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    losses = torch.zeros(rows, dtype=torch.float64)
    damp = percdamp * torch.mean(torch.diag(H))
    idx = torch.arange(cols)
    H[idx, idx] += damp
    L = torch.linalg.cholesky(H)
    Hinv = torch.linalg.cholesky(torch.cholesky_inverse(L), upper=True)
    keep = torch.ones_like(W)
    for i1 in range(0, cols, blocksize):
        i2 = min(i1 + blocksize, cols)
        count = i2 - i1
        W1 = W[:, i1:i2].clone()
        Q1 = torch.zeros_like(W1)
        Err1 = torch.zeros_like(W1)
        Losses1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        if prunen == 0:
            tmp = W1 ** 2 / (torch.diag(Hinv1).reshape(1, -1)) ** 2
            thresh = torch.sort(tmp.flatten())[0][int(tmp.numel() * sparsity)]
            mask1 = tmp <= thresh
        else:
            mask1 = torch.zeros_like(W1) == 1
        for i in range(count):
            w = W1[:, i]
            d = Hinv1[i, i]
            if prunen != 0 and i % prunem == 0:
                tmp = W1[:, i: i + prunem] ** 2 / (torch.diag(Hinv1)[i: i + prunem].reshape(1, -1)) ** 2
                mask1.scatter_(1, i + torch.topk(tmp, prunen, dim=1, largest=False)[1], True)
            q = w.clone()
            q[mask1[:, i]] = 0
            Q1[:, i] = q
            Losses1[:, i] = (w - q) ** 2 / d ** 2
            err1 = (w - q) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1
        W[:, i1:i2] = Q1
        keep[:, i1:i2] = (~mask1).double()
        losses += torch.sum(Losses1, 1) / 2
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])
    return W, keep, losses
