"""The sparse-coding data model (Eq. 1) and the masking augmentations (Eq. 2, Eq. 3).

Every function takes an explicit ``torch.Generator`` so that a replica's numbers depend only
on its own seed, never on how many replicas are trained beside it.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import torch
from torch import Tensor

LATENT_SCHEMES = ("paper", "code", "one_hot")
NOISE_SCHEMES = ("paper", "code", "none")
DICTIONARY_KINDS = ("qr", "identity")
AUGMENTATIONS = ("independent", "dependent")
MASK_MEANINGS = ("keep", "drop")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid choices: {', '.join(choices)}")


def dictionary(p: int, d: int, kind: str = "qr", *, generator: torch.Generator | None = None,
               dtype: torch.dtype = torch.float64) -> Tensor:
    """Dictionary M (p x d) of Eq. (1): Q of the QR decomposition of a standard Gaussian
    p x d matrix (column-orthonormal, Sec. 4.2), or the identity (Theorems 1 and 3)."""
    _check_choice("dictionary kind", kind, DICTIONARY_KINDS)
    if p < d:
        raise ValueError(f"dictionary needs p >= d for orthonormal columns, got p={p} < d={d}")
    if kind == "identity":
        if p != d:
            raise ValueError(f"the identity dictionary needs p == d, got p={p}, d={d}")
        return torch.eye(d, dtype=dtype)
    G = torch.randn(p, d, generator=generator, dtype=torch.float64)
    Q, _ = torch.linalg.qr(G)
    return Q.to(dtype)


def code_sparse_counts(d: int, p_sparse: float) -> tuple[int, int]:
    """(number of -1, number of +1) per sample in the public code's latents: ceil(d p / 2)
    entries -1 and max(ceil(d p), ceil(d p / 2) + 1) - ceil(d p / 2) entries +1.  For d = 10,
    Pr(sparse) 0.1 and 0.2 both give one -1 and one +1, and 0.3 gives two -1 and one +1."""
    s1 = math.ceil(d * p_sparse / 2)
    s2 = max(math.ceil(d * p_sparse), math.ceil(d * p_sparse / 2) + 1)
    return s1, min(s2, d) - s1


def same_code_data(configs: Iterable[Any]) -> list[list[float]]:
    """Groups of Pr(sparse) values whose configurations draw the same latents under the code's
    scheme (the same numbers of -1 and +1 per sample, :func:`code_sparse_counts`), each sorted."""
    groups: dict[tuple[int, tuple[int, int]], set[float]] = {}
    for c in configs:
        if c.latents == "code":
            groups.setdefault((c.d, code_sparse_counts(c.d, c.p_sparse)), set()).add(float(c.p_sparse))
    return [sorted(v) for v in groups.values() if len(v) > 1]


def sample_latents(n: int, d: int, p_sparse: float, scheme: str = "paper", *,
                   generator: torch.Generator | None = None,
                   dtype: torch.dtype = torch.float64) -> Tensor:
    """Latents z in {0, -1, +1}^d, ``[n, d]``.

    * ``paper`` (Sec. 4.2): each coordinate independently +1 or -1 with probability
      p_sparse/2 each, re-drawn until at least one coordinate is non-zero.
    * ``code`` (public code): a fixed number of -1 and +1 entries at random positions
      (:func:`code_sparse_counts`).
    * ``one_hot`` (Figure 1, Theorem 1): a single +1 at a uniformly random position.
    """
    _check_choice("latent scheme", scheme, LATENT_SCHEMES)
    if scheme != "one_hot" and not 0.0 < p_sparse <= 1.0:
        raise ValueError(f"p_sparse must lie in (0, 1], got {p_sparse}")
    if scheme == "one_hot":
        z = torch.zeros(n, d, dtype=dtype)
        z[torch.arange(n), torch.randint(d, (n,), generator=generator)] = 1.0
        return z
    if scheme == "code":
        neg, pos_ = code_sparse_counts(d, p_sparse)
        k = neg + pos_
        signs = torch.ones(k, dtype=dtype)
        signs[:neg] = -1.0
        pos = torch.rand(n, d, generator=generator).argsort(dim=1)[:, :k]
        z = torch.zeros(n, d, dtype=dtype)
        z.scatter_(1, pos, signs.expand(n, k).contiguous())
        return z
    z = torch.zeros(n, d, dtype=dtype)
    todo = torch.arange(n)
    while todo.numel():
        u = torch.rand(todo.numel(), d, generator=generator, dtype=torch.float64)
        draw = (u < p_sparse / 2).to(dtype) * -1.0 + (u > 1 - p_sparse / 2).to(dtype)
        z[todo] = draw
        todo = todo[(draw == 0).all(dim=1)]
    return z


def noise_std(d: int, scheme: str = "paper") -> float:
    """Noise standard deviation: ``paper`` sqrt(log d / d) (variance log d / d, Sec. 4.2),
    ``code`` sqrt(ln d) / d (the public code), ``none`` 0."""
    _check_choice("noise scheme", scheme, NOISE_SCHEMES)
    if scheme == "none" or d <= 1:
        return 0.0
    return math.sqrt(math.log(d) / d) if scheme == "paper" else math.sqrt(math.log(d)) / d


def make_dataset(n: int, M: Tensor, p_sparse: float, latents: str = "paper",
                 noise: str = "paper", *, std: float | None = None,
                 generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """Samples x = M z + eps (Eq. 1). Returns ``(X [n, p], Z [n, d])``. The noise's standard
    deviation is ``std`` when given, else that of the scheme ``noise`` (:func:`noise_std`)."""
    p, d = M.shape
    Z = sample_latents(n, d, p_sparse, latents, generator=generator, dtype=M.dtype)
    X = Z @ M.T
    if std is None:
        std = noise_std(d, noise)
    elif not (math.isfinite(std) and std >= 0):
        raise ValueError(f"noise std must be a finite number >= 0, got {std!r}")
    if std > 0:
        X = X + std * torch.randn(n, p, generator=generator, dtype=M.dtype)
    return X, Z


def keep_probability(masking_prob: float, meaning: str = "keep") -> float:
    """Probability that a mask entry keeps its coordinate.

    The paper draws D_jj ~ Bernoulli(alpha) with 1 = keep (``meaning='keep'``: alpha is the
    given number); the public code zeroes a coordinate with the given probability
    (``meaning='drop'``: alpha = 1 - masking probability)."""
    _check_choice("mask meaning", meaning, MASK_MEANINGS)
    if not 0.0 < masking_prob <= 1.0:
        raise ValueError(f"masking probability must lie in (0, 1], got {masking_prob}")
    alpha = masking_prob if meaning == "keep" else 1.0 - masking_prob
    if alpha <= 0.0:
        raise ValueError(f"masking probability {masking_prob} with meaning 'drop' keeps nothing; "
                         "use a value in (0, 1) or meaning 'keep'")
    if round(alpha * MASK_RESOLUTION) < 1:
        raise ValueError(f"masking_prob {masking_prob} (mask_meaning {meaning!r}) keeps a coordinate with "
                         f"probability {alpha:.3g}, below 2^-32 = {1 / MASK_RESOLUTION:.2g}, the resolution "
                         "of the 32-bit mask draws: every coordinate would be dropped; use a keep "
                         f"probability of at least {1 / MASK_RESOLUTION:.2g}")
    return alpha


#: Mask entries compare 32 random bits with a threshold: keep probabilities are multiples of 2^-32.
MASK_RESOLUTION = 2.0 ** 32


def mask_threshold(alpha: float) -> int:
    """The largest 32-bit value that keeps: a uniform 32-bit draw ``u`` keeps iff ``u <= threshold``,
    so ``P(keep) = (threshold + 1) / 2^32`` = ``alpha`` up to 2^-33 (clamped to [0, 2^32 - 1])."""
    return int(min(max(round(alpha * MASK_RESOLUTION), 1), 2 ** 32)) - 1


def draw_masks(shape: tuple[int, ...], alpha: float, augmentation: str = "independent", *,
               generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32,
               device: torch.device | str | None = None) -> tuple[Tensor, Tensor]:
    """Diagonals of the two masks, as multipliers of shape ``shape`` (``[..., p]``).

    ``independent`` (Eq. 3): D1, D2 i.i.d. Bernoulli(alpha); views D1 x and D2 x.
    ``dependent`` (Eq. 2): D ~ Bernoulli(alpha); views 2 D x and 2 (I - D) x.
    """
    _check_choice("augmentation", augmentation, AUGMENTATIONS)
    u = torch.rand(shape, generator=generator, dtype=dtype, device=device)
    if augmentation == "dependent":
        keep = (u < alpha).to(dtype)
        return 2.0 * keep, 2.0 * (1.0 - keep)
    u2 = torch.rand(shape, generator=generator, dtype=dtype, device=device)
    return (u < alpha).to(dtype), (u2 < alpha).to(dtype)
