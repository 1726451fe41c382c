"""Eq. (11): max-cosine."""
import torch

from landscape.data import dictionary
from landscape.metrics import max_cosine, max_cosine_summary


def test_ground_truth_scores_one():
    M = dictionary(50, 10, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(max_cosine(M.T, M), torch.ones(10, dtype=M.dtype))
    assert torch.allclose(max_cosine_summary(M.T, M), torch.ones(3, dtype=M.dtype))


def test_invariant_to_row_scaling_sign_and_permutation():
    g = torch.Generator().manual_seed(1)
    M = dictionary(30, 6, generator=g)
    W = torch.randn(12, 30, generator=g, dtype=torch.float64)
    base = max_cosine(W, M)
    scale = torch.rand(12, 1, generator=g, dtype=torch.float64) * 10 + 0.1
    sign = torch.where(torch.rand(12, 1, generator=g) < 0.5, -1.0, 1.0).to(W.dtype)
    perm = torch.randperm(12, generator=g)
    assert torch.allclose(max_cosine((W * scale * sign)[perm], M), base)


def test_known_value_and_summary_order():
    M = torch.eye(3, dtype=torch.float64)
    W = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64)
    mc = max_cosine(W, M)
    assert torch.allclose(mc, torch.tensor([2 ** -0.5, 2 ** -0.5, 1.0], dtype=torch.float64))
    lo, med, hi = max_cosine_summary(W, M).tolist()
    assert lo <= med <= hi and hi == 1.0 and abs(med - 2 ** -0.5) < 1e-12


def test_batched_over_replicas():
    g = torch.Generator().manual_seed(2)
    M = torch.stack([dictionary(20, 5, generator=g) for _ in range(3)])
    W = torch.randn(3, 8, 20, generator=g, dtype=torch.float64)
    out = max_cosine_summary(W, M)
    for r in range(3):
        assert torch.allclose(out[r], max_cosine_summary(W[r], M[r]))
