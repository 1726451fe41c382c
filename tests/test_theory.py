"""Closed forms of landscape.theory against brute force, Monte Carlo and autograd.

Monte-Carlo comparisons use a tolerance of 5 standard errors of the estimate (computed from the
same samples), so an error in a closed form larger than that fails the test while sampling noise
fails it with probability ~ 6e-7; seeds are fixed, so the outcome is reproducible.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from landscape import theory as T
from landscape.data import dictionary, draw_masks, make_dataset, noise_std, sample_latents
from landscape.metrics import max_cosine_summary

DT = torch.float64
Z_TOL = 5.0  # standard errors


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """These tensors are tiny: intra-op threads only add overhead (20x on a loaded 2-core box)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# =============================================================================== Theorem 1
def _ncl_bruteforce(W: torch.Tensor, alpha: float) -> float:
    """Eq. (6) literally: every x = e_j (prob 1/d) and every pair of full masks."""
    d = W.shape[-1]
    total = 0.0
    for j in range(d):
        x = torch.zeros(d, dtype=DT)
        x[j] = 1.0
        for m1 in itertools.product([0.0, 1.0], repeat=d):
            for m2 in itertools.product([0.0, 1.0], repeat=d):
                p = math.prod(alpha if v else 1 - alpha for v in m1 + m2) / d
                h1 = torch.relu(W @ torch.diag(torch.tensor(m1, dtype=DT)) @ x)
                h2 = torch.relu(W @ torch.diag(torch.tensor(m2, dtype=DT)) @ x)
                total += p * float(h1 @ h2)
    return 2.0 - 2.0 * total


def test_ncl_loss_one_sparse_matches_enumeration():
    W = T.random_unit_columns(1, 3, "gaussian", generator=gen(0))[0]
    for alpha in (0.3, 0.8):
        exact = float(T.ncl_loss_one_sparse(W, alpha))
        assert exact == pytest.approx(_ncl_bruteforce(W, alpha), abs=1e-12)
        # the proof's summed normalisation is d times the per-sample form
        assert float(T.ncl_loss_one_sparse(W, alpha, "sum")) == pytest.approx(3 * exact, abs=1e-12)
        assert float(T.ncl_loss_one_sparse(W, alpha, "sum_inner")) == pytest.approx(
            2 - 3 * (2 - exact), abs=1e-12)


def test_enumerated_ncl_loss_is_the_literal_enumeration():
    """The theorem page's Eq. 6 (factorised over independent masks) equals the literal sum over mask pairs."""
    W = T.random_unit_columns(1, 3, "gaussian", generator=gen(0))[0]
    for alpha in (0.3, 0.8):
        assert float(T.ncl_loss_enumerated(W, alpha)) == pytest.approx(_ncl_bruteforce(W, alpha), abs=1e-13)


def test_ncl_loss_one_sparse_matches_monte_carlo():
    d, alpha, n = 5, 0.6, 200_000
    g = gen(1)
    W = T.random_unit_columns(1, d, "gaussian", generator=g)[0]
    x = sample_latents(n, d, 1.0, "one_hot", generator=g)
    m1, m2 = draw_masks((n, d), alpha, generator=g, dtype=DT)
    s = (torch.relu((m1 * x) @ W.T) * torch.relu((m2 * x) @ W.T)).sum(-1)
    est, se = 2 - 2 * float(s.mean()), 2 * float(s.std()) / math.sqrt(n)
    assert abs(float(T.ncl_loss_one_sparse(W, alpha)) - est) < Z_TOL * se


def test_ncl_minimisers_are_the_nonnegative_unit_column_matrices():
    d, alpha = 6, 0.5
    g = gen(2)
    low = T.ncl_min_one_sparse(d, alpha)
    for kind in ("abs_gaussian", "sparse_nonneg"):
        W = T.random_unit_columns(200, d, kind, generator=g)
        assert torch.allclose(T.ncl_loss_one_sparse(W, alpha), torch.full((200,), low, dtype=DT), atol=1e-12)
    P = T.permutation_matrices(20, d, generator=g)
    assert torch.allclose(T.ncl_loss_one_sparse(P, alpha), torch.full((20,), low, dtype=DT), atol=1e-12)
    Wneg = T.random_unit_columns(200, d, "gaussian", generator=g)   # has negative entries
    assert (T.ncl_loss_one_sparse(Wneg, alpha) > low + 1e-6).all()
    assert T.ncl_min_one_sparse(d, alpha, "sum") == pytest.approx(2 * d - 2 * d * alpha ** 2)
    for norm in ("sum", "sum_inner"):
        P_loss = T.ncl_loss_one_sparse(P, alpha, norm)
        assert torch.allclose(P_loss, torch.full_like(P_loss, T.ncl_min_one_sparse(d, alpha, norm)), atol=1e-12)


def test_cl_surrogate_matches_bruteforce():
    W = T.random_unit_columns(1, 3, "gaussian", generator=gen(3))[0]
    for alpha, tau in ((0.6, 1.5), (0.3, 4.0)):
        assert float(T.cl_surrogate(W, alpha, tau)) == pytest.approx(
            T.cl_surrogate_bruteforce(W, alpha, tau), abs=1e-10)


def test_cl_surrogate_matches_monte_carlo_with_data_masks():
    """Eq. (16) simulated literally with landscape.data masks (a full mask per view)."""
    d, alpha, tau, n = 4, 0.5, 2.0, 20_000
    g = gen(4)
    W = T.random_unit_columns(1, d, "gaussian", generator=g)[0]
    E = torch.eye(d, dtype=DT)
    total, var = 0.0, 0.0
    for i in range(d):
        m1, _ = draw_masks((n, d), alpha, generator=g, dtype=DT)
        m2 = torch.stack([draw_masks((n, d), alpha, generator=g, dtype=DT)[0] for _ in range(d)], 1)
        h1 = torch.relu((m1 * E[i]) @ W.T)                                  # [n, d]
        h2 = torch.relu((m2 * E[None]) @ W.T)                               # [n, j, d]
        sims = tau * (h1[:, None, :] * h2).sum(-1)                          # [n, j]
        term = torch.logsumexp(sims, -1) - sims[:, i]
        total += float(term.mean())
        var += float(term.var()) / n
    assert abs(float(T.cl_surrogate(W, alpha, tau)) - total) < Z_TOL * math.sqrt(var)


def test_cl_surrogate_monte_carlo_option_and_chunking():
    d, alpha, tau = 4, 0.5, 2.0
    W = T.random_unit_columns(3, d, "gaussian", generator=gen(5))
    exact = T.cl_surrogate(W, alpha, tau)
    mc = T.cl_surrogate(W, alpha, tau, n_mc=100_000, generator=gen(6))
    assert torch.allclose(exact, mc, atol=0.03)   # per-term spread <= log d: SE <= d log d / sqrt(n) ~ 0.006
    # chunked evaluation (forced by a small buffer) equals the unchunked one, exact and MC
    Wb = T.random_unit_columns(6, 6, "abs_gaussian", generator=gen(7)).reshape(2, 3, 6, 6)
    for n_mc in (None, 500):
        whole = T.cl_surrogate(Wb, alpha, tau, n_mc=n_mc, generator=gen(8))
        parts = T.cl_surrogate(Wb, alpha, tau, n_mc=n_mc, generator=gen(8), chunk_elements=1)
        assert whole.shape == (2, 3) and torch.allclose(whole, parts, atol=1e-12)


def test_cl_bound_attained_exactly_by_permutations_only():
    d, alpha, tau = 5, 0.5, 2.0
    g = gen(8)
    bound = T.cl_bound(d, alpha, tau)
    P = T.permutation_matrices(10, d, generator=g)
    assert torch.allclose(T.cl_surrogate(P, alpha, tau), torch.full((10,), bound, dtype=DT), atol=1e-12)
    for kind in ("abs_gaussian", "sparse_nonneg", "gaussian"):
        W = T.random_unit_columns(300, d, kind, generator=g)
        assert (T.cl_surrogate(W, alpha, tau) > bound + 1e-6).all()


def test_cl_bound_closed_form():
    # d = 2: term_i = log(1 + exp(-tau a b)) on the diagonal masks, log 2 otherwise
    alpha, tau = 0.7, 3.0
    expect = 2 * (alpha ** 2 * math.log1p(math.exp(-tau)) + (1 - alpha ** 2) * math.log(2))
    assert T.cl_bound(2, alpha, tau) == pytest.approx(expect)
    assert float(T.cl_surrogate(torch.eye(2, dtype=DT), alpha, tau)) == pytest.approx(expect, abs=1e-12)


def test_projected_gradient_descent_reaches_a_permutation():
    d, alpha, tau = 4, 0.5, 2.0
    P = T.permutation_matrices(1, d, generator=gen(9))
    W0 = (P + 0.1 * torch.rand(1, d, d, generator=gen(10), dtype=DT))
    W, hist = T.minimize_cl_surrogate(W0, alpha, tau, lr=1.0, steps=200)
    assert float(hist[-1, 0]) == pytest.approx(T.cl_bound(d, alpha, tau), abs=1e-9)
    assert bool(T.is_permutation(W[0], atol=1e-6))
    assert float(max_cosine_summary(W[0], torch.eye(d, dtype=DT))[0]) == pytest.approx(1.0, abs=1e-9)
    assert float(T.distance_to_permutation(torch.ones(1, d, d, dtype=DT) / 2)[0]) == math.inf


# =============================================================================== Theorem 2
@pytest.mark.parametrize("scheme", ["paper", "one_hot"])
def test_latent_second_moment_matches_sampling(scheme):
    d, ps, n = 6, 0.2, 200_000
    z = sample_latents(n, d, ps, scheme, generator=gen(11))
    zz = (z.T @ z / n)
    kappa = T.latent_second_moment(d, ps, scheme)
    se = float((z ** 2).std(0).max()) / math.sqrt(n)
    assert (zz.diagonal() - kappa).abs().max() < Z_TOL * se
    assert (zz - torch.diag(zz.diagonal())).abs().max() < Z_TOL * se
    with pytest.raises(ValueError):
        T.latent_second_moment(d, ps, "code")


def test_expected_linear_grad_is_the_gradient_of_the_expected_loss():
    g = gen(12)
    M = dictionary(7, 4, generator=g)
    Wo, Wt = torch.randn(5, 7, generator=g, dtype=DT), torch.randn(5, 7, generator=g, dtype=DT)
    args = (M, 0.6, 0.3, 0.2)
    Wo_, Wt_ = Wo.clone().requires_grad_(), Wt.clone().requires_grad_()
    go, gt = torch.autograd.grad(T.linear_ncl_loss(Wo_, Wt_, *args), (Wo_, Wt_))
    eo, et = T.expected_linear_grad(Wo, Wt, *args)
    assert torch.allclose(go, eo, atol=1e-13) and torch.allclose(gt, et, atol=1e-13)


def test_linear_loss_matches_monte_carlo():
    d, p, ps, alpha, n = 4, 6, 0.3, 0.5, 300_000
    g = gen(13)
    M = dictionary(p, d, generator=g)
    Wo, Wt = torch.randn(3, p, generator=g, dtype=DT), torch.randn(3, p, generator=g, dtype=DT)
    X, _ = make_dataset(n, M, ps, "paper", "paper", generator=g)
    m1, m2 = draw_masks(tuple(X.shape), alpha, generator=g, dtype=DT)
    s = ((m1 * X) @ Wo.T * ((m2 * X) @ Wt.T)).sum(-1)
    est, se = 2 - 2 * float(s.mean()), 2 * float(s.std()) / math.sqrt(n)
    exact = float(T.linear_ncl_loss(Wo, Wt, M, alpha, T.latent_second_moment(d, ps, "paper"), noise_std(d)))
    assert abs(exact - est) < Z_TOL * se


def test_recursion_matches_direct_gd_full_matrices():
    d, p, alpha, kappa, sigma0, steps = 4, 7, 0.5, 0.25, 0.3, 60
    g = gen(14)
    M = dictionary(p, d, generator=g)
    Wo0, Wt0 = torch.randn(5, p, generator=g, dtype=DT), torch.randn(5, p, generator=g, dtype=DT)
    eta = 0.05 + 0.05 * torch.rand(steps, generator=g, dtype=DT).numpy()    # a schedule
    c = 2 * eta * alpha ** 2 * (kappa + sigma0 ** 2)
    lam = 1 - c / 2
    traj = T.linear_gd_exact(Wo0, Wt0, M, alpha, kappa, sigma0, eta, lam, steps)
    C1, C2, cc = T.linear_gd_coefficients(eta, lam, alpha, kappa, sigma0, steps)
    C1p, C2p, _ = T.linear_gd_coefficients(eta, lam, alpha, 0.0, sigma0, steps)
    assert np.allclose(cc, c)
    for t in (1, 7, steps):
        Wo, Wt = traj[t]
        po, pt = T.predict_linear_gd(Wo0, Wt0, M, C1[t], C2[t], C1p[t], C2p[t])
        assert float((Wo - po).norm() / Wo.norm()) < 1e-13
        assert float((Wt - pt).norm() / Wt.norm()) < 1e-13
        ro, _ = T.predict_linear_gd(Wo0, Wt0, M, C1[t], C2[t])
        assert float((Wo @ M - ro @ M).norm() / (Wo @ M).norm()) < 1e-13
    # Theorem 2's ranges for lam = 1 - c/2
    assert ((C1[1:] > 0) & (C1[1:] < 1)).all() and (C2[1:] > 0).all()
    # a wrong rate (the paper's 2 p_z mistaken for p_z) must be detected
    C1w, C2w, _ = T.linear_gd_coefficients(eta, lam, alpha, kappa / 2, sigma0, steps)
    wo, _ = T.predict_linear_gd(Wo0, Wt0, M, C1w[-1], C2w[-1])
    assert float((traj[steps][0] @ M - wo @ M).norm() / (traj[steps][0] @ M).norm()) > 1e-3


def test_closed_form_coefficients_equal_the_recursion():
    eta, alpha, kappa, sigma0, steps = 0.3, 0.6, 0.2, 0.1, 25
    lam = np.linspace(0.9, 0.99, steps)
    C1, C2, _ = T.linear_gd_coefficients(eta, lam, alpha, kappa, sigma0, steps)
    for t in (0, 1, 2, 10, steps):
        c1, c2 = T.linear_gd_coefficients_closed_form(eta, lam, alpha, kappa, sigma0, t)
        assert c1 == pytest.approx(C1[t], rel=1e-12) and c2 == pytest.approx(C2[t], rel=1e-12, abs=1e-15)


def test_dataset_gd_equals_exact_gd_when_the_sample_covariance_is_exact():
    d, p, alpha, kappa, sigma0 = 3, 5, 0.7, 0.4, 0.2
    g = gen(21)
    M = dictionary(p, d, generator=g)
    S = kappa * M @ M.T + sigma0 ** 2 * torch.eye(p, dtype=DT)
    evals, evecs = torch.linalg.eigh(S)
    X = math.sqrt(p) * evecs @ torch.diag(evals.sqrt()) @ evecs.T     # X^T X / p = S
    Wo0, Wt0 = torch.randn(4, p, generator=g, dtype=DT), torch.randn(4, p, generator=g, dtype=DT)
    a = T.linear_gd_dataset(Wo0, Wt0, X, alpha, 0.1, 0.99, 20)
    b = T.linear_gd_exact(Wo0, Wt0, M, alpha, kappa, sigma0, 0.1, 0.99, 20)
    assert torch.allclose(a[20][0], b[20][0], atol=1e-12) and torch.allclose(a[20][1], b[20][1], atol=1e-12)


def test_minibatch_gradient_is_unbiased():
    """One minibatch step, averaged over many draws, equals one expected-gradient step when the
    data covariance is the model's (fresh samples)."""
    d, p, alpha, ps = 3, 4, 0.5, 0.4
    g = gen(15)
    M = dictionary(p, d, generator=g)
    Wo0, Wt0 = torch.randn(2, p, generator=g, dtype=DT), torch.randn(2, p, generator=g, dtype=DT)
    X, _ = make_dataset(400_000, M, ps, "paper", "paper", generator=g)
    out = T.linear_gd_minibatch(Wo0, Wt0, X, alpha, 1.0, 1.0, 1, batch=400_000, generator=g)
    exact = T.linear_gd_exact(Wo0, Wt0, M, alpha, T.latent_second_moment(d, ps, "paper"), noise_std(d), 1.0, 1.0, 1)
    assert torch.allclose(out[1][0], exact[1][0], atol=0.02)


def test_best_combination_beats_every_combination():
    g = gen(16)
    d, p = 5, 8
    M = dictionary(p, d, generator=g)
    A, B = torch.randn(6, p, generator=g, dtype=DT), torch.randn(6, p, generator=g, dtype=DT)
    for project in (False, True):
        best, theta = T.best_combination_max_cosine(A, B, M, project=project)
        f = T.projected_max_cosine_summary if project else max_cosine_summary
        ab = torch.randn(300, 2, generator=g, dtype=DT)
        vals = f(ab[:, 0, None, None] * A + ab[:, 1, None, None] * B, M)
        assert (vals <= torch.as_tensor(best) + 1e-12).all()
        at = f(math.cos(theta[0]) * A + math.sin(theta[0]) * B, M)
        assert float(at[0]) == pytest.approx(best[0], abs=1e-12)
    # projection only raises the score (row norms shrink, inner products with M unchanged)
    assert (T.projected_max_cosine_summary(A, M) >= max_cosine_summary(A, M) - 1e-15).all()


# =============================================================================== Theorem 3
def test_joint_states_are_a_distribution_with_the_right_marginals():
    d, alpha, kappa = 2, 0.4, 0.3
    Y1, Y2, P = T.theorem3._joint_states(d, alpha, kappa)
    assert float(P.sum()) == pytest.approx(1.0, abs=1e-14)
    assert float((P * (Y1[:, 0] != 0)).sum()) == pytest.approx(alpha * kappa)
    assert float((P * Y1[:, 0] * Y2[:, 0]).sum()) == pytest.approx(alpha ** 2 * kappa)
    assert float((P * Y1[:, 0] * Y2[:, 1]).sum()) == pytest.approx(0.0, abs=1e-15)


def test_srelu_loss_exact_matches_monte_carlo():
    d, alpha, kappa, n = 3, 0.6, 0.5, 400_000
    g = gen(17)
    Wo, Wt = torch.randn(d, d, generator=g, dtype=DT), torch.randn(d, d, generator=g, dtype=DT)
    bo, bt = torch.rand(d, generator=g, dtype=DT), torch.rand(d, generator=g, dtype=DT)
    est, se = T.srelu_ncl_loss_mc(Wo, Wt, bo, bt, alpha, kappa, 0.0, n, generator=g)
    assert abs(float(T.srelu_ncl_loss_exact(Wo, Wt, bo, bt, alpha, kappa)) - est) < Z_TOL * se


def test_linearized_loss_and_gradient_exact_in_the_regime():
    d, alpha, kappa = 4, 0.5, 0.3
    g = gen(18)
    Wo, Wt = T.warm_start(d, 0.02, generator=g), T.warm_start(d, 0.02, generator=g)
    b = torch.full((d,), 0.3, dtype=DT)
    for W in (Wo, Wt):
        lo, hi = T.theorem3_bias_range(W)
        assert (lo < b).all() and (b < hi).all()
    exact = T.srelu_ncl_loss_exact(Wo, Wt, b, b, alpha, kappa)
    assert float(exact) == pytest.approx(float(T.srelu_ncl_loss_linearized(Wo, Wt, b, b, alpha, kappa)), abs=1e-13)
    W_ = Wo.clone().requires_grad_()
    (grad,) = torch.autograd.grad(T.srelu_ncl_loss_exact(W_, Wt, b, b, alpha, kappa), W_)
    assert torch.allclose(grad, T.srelu_ncl_grad_linearized(Wt, b, alpha, kappa), atol=1e-13)
    # outside the regime (bias 0: SReLU is the identity) the closed form is wrong
    z = torch.zeros(d, dtype=DT)
    assert abs(float(T.srelu_ncl_loss_exact(Wo, Wt, z, z, alpha, kappa))
               - float(T.srelu_ncl_loss_linearized(Wo, Wt, z, z, alpha, kappa))) > 1e-5


def test_alternating_optimization_converges_to_identity_with_predicted_contraction():
    d, alpha, kappa, bias = 3, 0.5, 0.4, 0.2
    g = gen(19)
    Wo, Wt = T.warm_start(d, 0.03, generator=g), T.warm_start(d, 0.03, generator=g)
    b = torch.full((d,), bias, dtype=DT)
    res = T.alternating_optimization(Wo, Wt, b, b, alpha, kappa, eta=20.0, alternations=3, inner_steps=300)
    assert all(res.converged)
    off = [float((W - torch.diag(W.diagonal())).abs().max()) for W in (res.updated(k) for k in range(7))]
    ratio = off[3] / off[2]
    assert ratio == pytest.approx(alpha ** 2 * kappa / (1 - bias), rel=1e-3)
    assert float((res.phases[-1][0] - torch.eye(d, dtype=DT)).abs().max()) < 1e-5
    # the inner phase is Lemma 1 with a_j = alpha^2 kappa Wt_ij / (Wt_ii - b)
    Wt1, Wo1 = res.phases[0][1], res.phases[1][0]
    for i in range(d):
        a = [alpha ** 2 * kappa * Wt1[i, j] / (Wt1[i, i] - bias) for j in range(d) if j != i]
        v = T.lemma1_fixed_point(a, d)
        row = Wo1[i].numpy()
        expect = np.empty(d)
        expect[i], expect[[j for j in range(d) if j != i]] = v[0], v[1:]
        assert np.allclose(row, expect, atol=1e-11)


# =============================================================================== Lemma 1
@pytest.mark.parametrize("a,d,c", [(0.3, 5, 0.5), (-0.7, 3, 2.0), (0.0, 4, 0.1), (1.5, 10, 1.0)])
def test_lemma1_converges_to_fixed_point_at_rate_gamma(a, d, c):
    rng = np.random.default_rng(20)
    star = T.lemma1_fixed_point(a, d)
    assert np.linalg.norm(star) == pytest.approx(1.0)
    assert np.allclose(T.lemma1_iterate(star, a, c, 3)[-1], star, atol=1e-15)   # a fixed point
    v0 = rng.normal(size=d)
    if v0[0] + a * v0[1:].sum() <= 0:
        v0 = -v0
    traj = T.lemma1_iterate(v0, a, c, 400)
    assert np.allclose(traj[-1], star, atol=1e-10)
    dev = np.abs(traj[:, 1:] - a * traj[:, :1]).max(axis=1)
    ok = dev[:-1] > 1e-13
    assert (dev[1:][ok] <= T.lemma1_rate(a, d, c) * dev[:-1][ok] + 1e-16).all()
    assert T.lemma1_asymptotic_rate(a, d, c) <= T.lemma1_rate(a, d, c)


def test_lemma1_premise_excludes_a_repelling_fixed_point():
    a, d, c = 0.5, 4, 0.2            # c sqrt(1 + (d-1) a^2) < 1: -v* is also a fixed point
    star = T.lemma1_fixed_point(a, d)
    assert np.allclose(T.lemma1_iterate(-star, a, c, 1)[1], -star, atol=1e-15)
    # ... a repelling one: a perturbation of 1e-6 grows, and the iterates end at +v*
    v0 = -star + 1e-6 * np.arange(d)
    traj = T.lemma1_iterate(v0, a, c, 300)
    assert np.abs(traj[5] + star).max() > np.abs(v0 / np.linalg.norm(v0) + star).max()
    assert np.allclose(traj[-1], star, atol=1e-10)
