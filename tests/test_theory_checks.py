"""Every check the theorem pages print is a library function; each must pass on the theorem's
setting and fail when an error is planted (a mutated formula, or an input outside the
statement's premise), so that no check on the pages passes by construction."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from landscape import theory as T
from landscape.data import dictionary
from landscape.theory import theorem1 as t1
from test_theory import _one_thread, gen  # noqa: F401 (one thread for tiny tensors; seeded draws)

DT = torch.float64


# =============================================================================== Theorem 1
D, ALPHA, TAU = 4, 0.5, 2.0


@pytest.fixture(scope="module")
def families():
    g = gen(0)
    return dict(nonneg=torch.cat([T.random_unit_columns(50, D, "abs_gaussian", generator=g),
                                  T.permutation_matrices(10, D, generator=g)]),
                generic=T.random_unit_columns(50, D, "gaussian", generator=g),
                perm=T.permutation_matrices(10, D, generator=g),
                near=T.near_permutations(30, D, 0.05, generator=g),
                signed=T.signed_permutations(30, D, generator=g))


def test_check_ncl_minima_and_its_planted_errors(families):
    assert T.check_ncl_minima(families["nonneg"], families["generic"], ALPHA).holds
    # unit ROWS instead of unit columns: outside U_>=, must be rejected
    rows = families["nonneg"][:20].abs() + 0.1
    rows = rows / rows.norm(dim=-1, keepdim=True)
    chk = T.check_ncl_minima(rows, families["generic"], ALPHA)
    assert not chk.holds and chk["premise_failures"] > 0
    # a dropped factor 2 in Eq. 6
    assert not T.check_ncl_minima(families["nonneg"], families["generic"], ALPHA,
                                  loss=lambda W, a: 1 - a ** 2 * torch.relu(W).pow(2).sum(-2).mean(-1)).holds
    # a wrong closed-form minimum (d alpha^2 for alpha^2)
    assert not T.check_ncl_minima(families["nonneg"], families["generic"], ALPHA,
                                  minimum=2 - 2 * D * ALPHA ** 2).holds


def test_check_negative_entries_worse_and_planted_errors(families):
    assert T.check_negative_entries_worse(families["generic"], ALPHA).holds
    # the ReLU dropped: ||W_*j|| = 1 whatever the signs, so no gap
    assert not T.check_negative_entries_worse(
        families["generic"], ALPHA, loss=lambda W, a: 2 - 2 * a ** 2 * W.pow(2).sum(-2).mean(-1)).holds
    assert not T.check_negative_entries_worse(families["nonneg"], ALPHA).holds     # premise: no negative entry


def test_check_far_minima_planted(families):
    g = gen(2)
    assert T.check_far_minima(T.random_unit_columns(200, 6, "abs_gaussian", generator=g)).holds
    assert not T.check_far_minima(families["perm"]).holds                      # the ground truth is not far


def test_check_bound_checks_and_planted_errors(families):
    assert T.check_bound_attained(families["perm"], ALPHA, TAU).holds
    others = torch.cat([families["nonneg"][:50], families["generic"], families["near"], families["signed"]])
    assert T.check_strictly_above(others, ALPHA, TAU).holds
    # the bound with d for d - 1 (too high): permutations miss it, near-permutations fall below it
    wrong = lambda d, a, t: d * (a * a * math.log1p(d * math.exp(-t)) + (1 - a * a) * math.log(d))  # noqa: E731
    assert not T.check_bound_attained(families["perm"], ALPHA, TAU, bound=wrong).holds
    assert not T.check_strictly_above(families["near"], ALPHA, TAU, bound=wrong).holds
    # a permutation among the "others", and a non-permutation among the permutations
    assert not T.check_strictly_above(torch.cat([others, families["perm"][:1]]), ALPHA, TAU).holds
    assert not T.check_bound_attained(families["near"][:3], ALPHA, TAU).holds


def test_check_minima_are_permutations_planted(families):
    P, near = families["perm"][:3], families["near"][:3]
    gap = torch.tensor([0.0, 0.0, 0.5], dtype=DT)
    assert T.check_minima_are_permutations(P, gap).holds
    assert not T.check_minima_are_permutations(torch.cat([P[:1], near[:1], P[2:3]]), gap).holds
    assert not T.check_minima_are_permutations(P, torch.full((3,), 0.5, dtype=DT)).holds   # none reached the bound


def test_large_batch_limit_and_its_checks(families):
    g = gen(3)
    W = families["near"][0]
    lim = float(T.cl_large_batch_limit(W, ALPHA, TAU))
    est = [T.cl_batch_loss_mc(W, ALPHA, TAU, B, 20000, generator=g) for B in (2, 512)]
    e, s = [x for x, _ in est], [x for _, x in est]
    assert T.check_batch_convergence(e, s, lim).holds
    assert not T.check_batch_convergence(e, s, lim + math.log(D)).holds          # the log(B/d) convention
    # the limit's minimisers: the permutations, at -tau alpha^2
    assert T.check_bound_attained(families["perm"], ALPHA, TAU, surrogate=T.cl_large_batch_limit,
                                  bound=T.cl_large_batch_minimum).holds
    assert T.check_strictly_above(families["near"], ALPHA, TAU, surrogate=T.cl_large_batch_limit,
                                  bound=T.cl_large_batch_minimum).holds
    # Eq. 15 is not an identity up to a constant; the offset check does pass for a true identity
    assert not T.check_surrogate_offset(torch.cat([families["perm"], families["nonneg"]]), ALPHA, TAU).holds
    assert T.check_surrogate_offset(families["perm"], ALPHA, TAU).holds
    with pytest.raises(ValueError, match="estimates"):
        T.check_batch_convergence([1.0], [0.1], 0.0)


def test_theorem1_bad_input_raises():
    with pytest.raises(ValueError, match="alpha"):
        T.ncl_loss_enumerated(torch.eye(3, dtype=DT), 1.5)
    with pytest.raises(ValueError, match="W"):
        T.ncl_loss_enumerated(torch.ones(3, 4, dtype=DT), 0.5)
    with pytest.raises(ValueError, match="scale"):
        T.near_permutations(2, 3, 0.0)
    with pytest.raises(ValueError, match="batch"):
        T.cl_batch_loss_mc(torch.eye(3, dtype=DT), 0.5, 2.0, 0, 10)


# =============================================================================== Theorem 2
@pytest.fixture(scope="module")
def linear_case():
    d, p, m, alpha, kappa, sigma0, eta, steps = 4, 7, 5, 0.5, 0.25, 0.3, 0.1, 40
    g = gen(4)
    M = dictionary(p, d, generator=g)
    Wo0, Wt0 = 0.1 * torch.randn(m, p, generator=g, dtype=DT), 0.1 * torch.randn(m, p, generator=g, dtype=DT)
    c = 2 * eta * alpha ** 2 * (kappa + sigma0 ** 2)
    lam = 1 - c
    traj = T.linear_gd_exact(Wo0, Wt0, M, alpha, kappa, sigma0, eta, lam, steps, range(0, steps + 1, 5))
    return dict(M=M, Wo0=Wo0, Wt0=Wt0, alpha=alpha, kappa=kappa, sigma0=sigma0, eta=eta, lam=lam, steps=steps,
                traj=traj, d=d)


def test_check_theorem2_form_planted(linear_case):
    k = linear_case
    C1, C2, _ = T.linear_gd_coefficients(k["eta"], k["lam"], k["alpha"], k["kappa"], k["sigma0"], k["steps"])
    assert T.check_theorem2_form(k["traj"], k["Wo0"], k["Wt0"], k["M"], C1, C2).holds
    C1w, C2w, _ = T.linear_gd_coefficients(k["eta"], k["lam"], k["alpha"], k["kappa"] / 2, k["sigma0"], k["steps"])
    assert not T.check_theorem2_form(k["traj"], k["Wo0"], k["Wt0"], k["M"], C1w, C2w).holds   # 2 p_z read as p_z


def test_check_coefficient_ranges_reads_the_trajectory(linear_case):
    k = linear_case
    C1, C2, res = T.fit_theorem2_coefficients(k["traj"], k["Wo0"], k["Wt0"], k["M"])
    C1r, C2r, _ = T.linear_gd_coefficients(k["eta"], k["lam"], k["alpha"], k["kappa"], k["sigma0"], k["steps"])
    assert np.allclose(C1, C1r[sorted(k["traj"])], atol=1e-12) and res.max() < 1e-12
    assert T.check_coefficient_ranges(C1, C2).holds
    # a flipped gradient sign (ascent): C2 turns negative
    Wo, Wt = k["Wo0"].clone(), k["Wt0"].clone()
    bad = {0: (Wo, Wt)}
    for t in range(1, 6):
        go, gt = T.expected_linear_grad(Wo, Wt, k["M"], k["alpha"], k["kappa"], k["sigma0"])
        Wo, Wt = k["lam"] * Wo + k["eta"] * go, k["lam"] * Wt + k["eta"] * gt
        bad[t] = (Wo, Wt)
    assert not T.check_coefficient_ranges(*T.fit_theorem2_coefficients(bad, k["Wo0"], k["Wt0"], k["M"])[:2]).holds


def test_check_corollary1_planted(linear_case):
    k = linear_case
    best, _ = T.best_combination_max_cosine(k["Wo0"], k["Wt0"], k["M"], project=True)
    learned = T.learned_max_cosine(k["traj"], k["M"], project=True)
    assert T.check_corollary1(learned, best).holds
    assert not T.check_corollary1(learned, best - 0.01).holds              # a yardstick that is not the best
    # the full-row reading fails for p > d and holds for p = d
    case = dict(d=4, alpha=0.5, kappa=0.25, sigma0=0.3, eta=0.1, lam=1 - 2 * 0.1 * 0.25 * (0.25 + 0.09), steps=300)
    assert not T.corollary1_case(p=16, m=16, **case, generator=gen(5)).holds
    assert T.corollary1_case(p=4, m=4, **case, generator=gen(5)).holds


def test_check_leaves_plane_and_dataset_deviation(linear_case):
    k = linear_case
    K = T.latent_second_moment_matrix(k["d"], 0.3, "binary")
    traj = T.linear_gd_exact(k["Wo0"], k["Wt0"], k["M"], k["alpha"], K, k["sigma0"], k["eta"], k["lam"], k["steps"])
    assert T.check_leaves_plane(traj, k["Wo0"], k["Wt0"], k["M"]).holds
    iso = T.latent_second_moment_matrix(k["d"], 0.3, "bernoulli")          # planted: isotropic latents
    traj = T.linear_gd_exact(k["Wo0"], k["Wt0"], k["M"], k["alpha"], iso, k["sigma0"], k["eta"], k["lam"], k["steps"])
    assert not T.check_leaves_plane(traj, k["Wo0"], k["Wt0"], k["M"]).holds
    assert torch.allclose(K.diagonal(), torch.full((k["d"],), 0.3, dtype=DT))   # E z_i^2 = p for {0, 1} latents
    # an exact sample covariance gives no drift
    p = k["M"].shape[0]
    S = k["kappa"] * k["M"] @ k["M"].T + k["sigma0"] ** 2 * torch.eye(p, dtype=DT)
    ev, U = torch.linalg.eigh(S)
    X = math.sqrt(p) * U @ torch.diag(ev.sqrt()) @ U.T
    dev = T.dataset_deviation(k["Wo0"], k["Wt0"], k["M"], X, k["alpha"], k["kappa"], k["sigma0"], k["eta"], k["lam"], [5, 20])
    assert max(dev.values()) < 1e-12


def test_printed_unrolled_sum_differs_from_the_recursion():
    eta, alpha, kappa, sigma0, t = 0.1, 0.5, 0.22, 0.48, 10
    c = 2 * eta * alpha ** 2 * (kappa + sigma0 ** 2)
    C1, C2, _ = T.linear_gd_coefficients(eta, 1 - c, alpha, kappa, sigma0, t)
    assert T.linear_gd_coefficients_closed_form(eta, 1 - c, alpha, kappa, sigma0, t)[1] == pytest.approx(C2[t], rel=1e-12)
    printed = T.linear_gd_coefficients_closed_form(eta, 1 - c, alpha, kappa, sigma0, t, as_printed=True)[1]
    assert abs(printed - C2[t]) > 1e-3


# =============================================================================== Theorem 3
@pytest.fixture(scope="module")
def warm():
    d = 3
    g = gen(6)
    return d, T.warm_start(d, 0.03, generator=g), T.warm_start(d, 0.03, generator=g), torch.full((d,), 0.2, dtype=DT)


def test_assumption3_needs_both_parts(warm):
    d, Wo, Wt, b = warm
    assert T.theorem3_assumption3(Wo, b, 0.5, 0.4).holds
    chk = T.theorem3_assumption3(Wo, b, 0.95, 0.9)          # range holds, b not o(1): alpha^2 kappa / (1 - b) > 1
    assert not chk.holds and chk["range_ok"] == 1.0 and chk.value > 1
    assert not T.theorem3_assumption3(Wo, torch.zeros(d, dtype=DT), 0.5, 0.4).holds   # outside the range
    with pytest.raises(ValueError, match="bias"):
        T.phase_factor(0.5, 0.4, 1.0)


def test_phase_factor_checks_converge_and_stall(warm):
    d, Wo, Wt, b = warm
    res = T.alternating_optimization(Wo, Wt, b, b, 0.5, 0.4, eta=20.0, alternations=3, inner_steps=300)
    f = T.measured_phase_factors(res, Wt, floor=1e-9)
    assert T.check_phase_factor_below_one(f).holds and T.check_phase_factor_prediction(f, 0.5, 0.4, 0.2).holds
    assert not T.check_phase_factor_prediction(f, 0.5, 0.4, 0.0).holds          # the paper's alpha^2 kappa alone
    assert T.check_converges(res, tol=1e-5).holds and not T.check_converges(res).holds   # 3 alternations: 2e-6
    assert not T.check_stalls(res).holds
    assert T.phase_lemma1_deviation(res, Wt, 0.2, 0.5, 0.4) < 1e-10
    # planted: b not o(1) -> factor above 1, no convergence though the range holds throughout
    bad = T.alternating_optimization(Wo, Wt, b, b, 0.95, 0.9, eta=20.0, alternations=3, inner_steps=300)
    fb = T.measured_phase_factors(bad, Wt, floor=1e-9)
    assert not T.check_phase_factor_below_one(fb).holds
    assert not T.check_converges(bad).holds and T.check_stalls(bad).holds
    assert T.assumption3_range_along_run(bad, b)
    assert not T.check_phase_factor_below_one([]).holds


def test_noise_check_and_cold_starts(warm):
    d, Wo, Wt, b = warm
    runs = {s0: T.alternating_optimization(Wo, Wt, b, b, 0.5, 0.4, eta=20.0, alternations=3, inner_steps=200,
                                           samples=T.theorem3_samples(5000, d, 0.5, 0.4, s0, generator=gen(7)))
            for s0 in (0.0, 0.05)}
    exact = T.alternating_optimization(Wo, Wt, b, b, 0.5, 0.4, eta=20.0, alternations=3, inner_steps=200)
    assert T.check_noise_effect(runs[0.05], runs[0.0]).holds
    # planted: judged against the exact expectation instead of the same sample without noise
    assert not T.check_noise_effect(runs[0.05], exact).holds
    I, P = torch.eye(d, dtype=DT), torch.eye(d, dtype=DT)[[1, 0, 2]]
    assert T.reached(P) == dict(identity=False, permutation=True, signed_permutation=True)
    assert T.reached(-I)["signed_permutation"] and not T.reached(-I)["permutation"]
    assert T.check_cold_starts([P, -I]).holds and not T.check_cold_starts([P, I]).holds
    with pytest.raises(ValueError, match="sigma0"):
        T.theorem3_samples(10, d, 0.5, 0.4, -1.0)


def test_printed_c3_loss_line_differs_from_the_derivation(warm):
    d, Wo, Wt, b = warm
    exact = float(T.srelu_ncl_loss_exact(Wo, Wt, b, b, 0.5, 0.4))
    assert float(T.srelu_ncl_loss_linearized(Wo, Wt, b, b, 0.5, 0.4)) == pytest.approx(exact, abs=1e-13)
    assert abs(float(T.srelu_ncl_loss_linearized(Wo, Wt, b, b, 0.5, 0.4, as_printed=True)) - exact) > 1e-6


# =============================================================================== Lemma 1
def test_lemma1_checks_and_planted_errors():
    rng = np.random.default_rng(8)
    cases = [(0.3, 5, 0.5), (-0.5, 3, 0.2), (1.0, 4, 2.0)]
    starts = []
    for a, d, c in cases:
        v0 = rng.normal(size=d)
        v0 /= np.linalg.norm(v0)
        starts.append((v0 if v0[0] + a * v0[1:].sum() > 0 else -v0, a, c))
    stats = [T.lemma1_trajectory_stats(v, a, c, 300) for v, a, c in starts]
    assert T.check_lemma1_limit([s["err"] for s in stats]).holds
    assert T.check_lemma1_rate([s["worst"] for s in stats]).holds
    wrong_fp = lambda a, d: np.concatenate([[1.0], np.full(d - 1, a)])     # noqa: E731  (not normalised)
    assert not T.check_lemma1_limit([T.lemma1_trajectory_stats(v, a, c, 300, fixed_point=wrong_fp)["err"]
                                     for v, a, c in starts]).holds
    too_fast = lambda a, d, c: T.lemma1_rate(a, d, c) ** 2                    # noqa: E731
    assert not T.check_lemma1_rate([T.lemma1_trajectory_stats(v, a, c, 300, rate=too_fast)["worst"]
                                    for v, a, c in starts]).holds
    assert T.check_lemma1_second_fixed_point([(0.5, 4, 0.2)]).holds
    assert not T.check_lemma1_second_fixed_point([(0.5, 4, 2.0)]).holds        # c s >= 1: no case qualifies
    violators = [(-v, a, c) for v, a, c in starts]
    assert T.check_lemma1_violators_converge(violators, 300).holds
    assert not T.check_lemma1_violators_converge(violators, 2).holds           # too few steps to get there
    with pytest.raises(ValueError, match="premise"):
        T.check_lemma1_violators_converge(starts, 10)
