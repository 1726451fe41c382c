"""The data model (Eq. 1) and the augmentations (Eq. 2, 3)."""
import math

import pytest
import torch

from landscape import data


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_dictionary_is_column_orthonormal():
    M = data.dictionary(50, 10, generator=gen())
    assert torch.allclose(M.T @ M, torch.eye(10, dtype=M.dtype), atol=1e-12)
    assert torch.equal(data.dictionary(7, 7, "identity"), torch.eye(7, dtype=torch.float64))


@pytest.mark.parametrize("p_sparse", [0.1, 0.3])
def test_paper_latents_second_moment(p_sparse):
    """E[z z^T] = 2 p_z I with p_z = Pr(z_i = 1) = p_sparse / 2 (App. C.1), inflated by the
    paper's re-draw of all-zero samples to p_sparse / (1 - (1 - p_sparse)^d)."""
    n, d = 200_000, 10
    z = data.sample_latents(n, d, p_sparse, "paper", generator=gen(1))
    assert set(z.unique().tolist()) <= {-1.0, 0.0, 1.0}
    assert (z != 0).any(dim=1).all()
    second = z.T @ z / n
    expected = p_sparse / (1 - (1 - p_sparse) ** d)
    se = math.sqrt(expected * (1 - expected) / n)  # standard error of one diagonal entry
    assert torch.allclose(second.diagonal(), torch.full((d,), expected, dtype=z.dtype), atol=5 * se)
    assert not torch.allclose(second.diagonal(), torch.full((d,), p_sparse, dtype=z.dtype), atol=5 * se)
    off = second - torch.diag(second.diagonal())
    assert off.abs().max() < 6 * expected / math.sqrt(n)
    assert abs(z.mean().item()) < 0.01


def test_code_latents_are_exactly_k_sparse():
    z = data.sample_latents(1000, 10, 0.3, "code", generator=gen())
    assert ((z != 0).sum(1) == 3).all()
    assert ((z == -1).sum(1) == 2).all() and ((z == 1).sum(1) == 1).all()
    # ambiguity 3: Pr(sparse) 0.1 and 0.2 give the same data in the public code for d = 10
    assert data.code_sparse_counts(10, 0.1) == data.code_sparse_counts(10, 0.2) == (1, 1)
    z = data.sample_latents(1000, 10, 0.1, "code", generator=gen())
    assert ((z == -1).sum(1) == 1).all() and ((z == 1).sum(1) == 1).all()


def test_one_hot_latents():
    z = data.sample_latents(500, 8, 0.5, "one_hot", generator=gen())
    assert (z.sum(1) == 1).all() and ((z == 1).sum(1) == 1).all()


def test_noise_scales():
    assert data.noise_std(10, "paper") == pytest.approx(math.sqrt(math.log(10) / 10))
    assert data.noise_std(10, "code") == pytest.approx(math.sqrt(math.log(10)) / 10)
    assert data.noise_std(10, "none") == 0.0
    M = data.dictionary(50, 10, generator=gen())
    X, Z = data.make_dataset(20_000, M, 0.2, noise="paper", generator=gen(2))
    resid = X - Z @ M.T
    assert resid.std().item() == pytest.approx(data.noise_std(10, "paper"), rel=0.02)


def test_keep_probability_meanings():
    assert data.keep_probability(0.1, "keep") == 0.1
    assert data.keep_probability(0.1, "drop") == pytest.approx(0.9)
    for bad in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="masking probability"):
            data.keep_probability(bad)
    with pytest.raises(ValueError, match="keeps nothing"):
        data.keep_probability(1.0, "drop")
    with pytest.raises(ValueError, match="valid choices: keep, drop"):
        data.keep_probability(0.5, "zero")


def test_mask_statistics():
    m1, m2 = data.draw_masks((4000, 50), 0.3, "independent", generator=gen())
    assert m1.mean().item() == pytest.approx(0.3, abs=0.005)
    assert m2.mean().item() == pytest.approx(0.3, abs=0.005)
    assert not torch.equal(m1, m2)
    d1, d2 = data.draw_masks((4000, 50), 0.5, "dependent", generator=gen())
    assert torch.equal(d1 + d2, torch.full_like(d1, 2.0))  # 2 D x and 2 (I - D) x


@pytest.mark.parametrize("call, match", [
    (lambda: data.sample_latents(5, 3, 0.1, "dense"), "valid choices: paper, code, one_hot"),
    (lambda: data.sample_latents(5, 3, 1.5), "p_sparse"),
    (lambda: data.dictionary(5, 10), "p >= d"),
    (lambda: data.dictionary(6, 5, "identity"), "p == d"),
    (lambda: data.noise_std(10, "loud"), "valid choices"),
    (lambda: data.draw_masks((2, 2), 0.5, "crop"), "valid choices: independent, dependent"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("masking_prob, meaning", [(1e-320, "keep"), (1e-12, "keep"), (1 - 1e-12, "drop")])
def test_a_keep_probability_below_the_mask_resolution_is_refused(masking_prob, meaning):
    with pytest.raises(ValueError, match=r"masking_prob .* keeps a coordinate with probability .* below 2\^-32"):
        data.keep_probability(masking_prob, meaning)


@pytest.mark.parametrize("alpha, threshold", [(1.0, 2 ** 32 - 1), (1 - 1e-17, 2 ** 32 - 1), (0.5, 2 ** 31 - 1),
                                              (2.0 ** -32, 0), (1e-300, 0)])
def test_mask_thresholds_stay_inside_32_bits(alpha, threshold):
    assert data.mask_threshold(alpha) == threshold


def test_noise_std_given_directly_overrides_the_scheme_and_keeps_old_keys() -> None:
    """``TrainConfig.noise_std`` (the atlas) sets the noise's standard deviation; left at None it
    leaves the cache key of every earlier configuration unchanged."""
    from landscape.config import TrainConfig

    M = data.dictionary(50, 10, generator=gen(1))
    X, Z = data.make_dataset(20_000, M, 0.2, noise="paper", std=0.07, generator=gen(2))
    assert (X - Z @ M.T).std().item() == pytest.approx(0.07, rel=0.02)
    X0, Z0 = data.make_dataset(500, M, 0.2, noise="paper", std=0.0, generator=gen(2))
    assert torch.equal(X0, Z0 @ M.T)
    assert "noise_std" not in TrainConfig().to_dict()
    assert TrainConfig(noise_std=0.1).key() != TrainConfig().key()
    with pytest.raises(ValueError, match="noise std must be a finite number >= 0"):
        data.make_dataset(10, M, 0.2, std=-1.0, generator=gen(2))


def test_same_code_data_names_the_sparsities_that_draw_the_same_data_under_the_codes_latents():
    from landscape.data import same_code_data
    from landscape.config import TrainConfig

    code = [TrainConfig(latents="code", p_sparse=p, seed=s) for p in (0.1, 0.2, 0.3) for s in (0, 1)]
    assert same_code_data(code) == [[0.1, 0.2]]          # d = 10: one -1 and one +1 at both
    assert same_code_data([TrainConfig(latents="paper", p_sparse=p) for p in (0.1, 0.2)]) == []
    assert same_code_data([TrainConfig(latents="code", p_sparse=p, d=20, p=50) for p in (0.1, 0.2)]) == []
