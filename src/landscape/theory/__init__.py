"""Closed forms and reusable numerics for the paper's theorems (Sec. 5, App. A.1, C.1-C.3, D).

Everything here works in float64 and is deterministic given its inputs (random starts take an
explicit ``torch.Generator`` / ``numpy.random.Generator``). The iterative routines run on one CPU
thread unless given ``threads=`` (their tensors are small; extra threads only add overhead).

* :mod:`.theorem1` (App. A.1): the non-contrastive loss under one-hot latents (Eq. 6), the
  contrastive surrogate (Eq. 16) and its bound (Eq. 20).
* :mod:`.theorem2` (App. C.1): linear dual networks, gradient descent with weight decay on Eq. 12,
  and Corollary 1.
* :mod:`.theorem3` (App. C.2-C.3): the SReLU network with a fixed bias, row normalisation and
  alternating optimisation.
* :mod:`.lemma1` (App. D): the recursion behind Theorem 3's convergence.

Every public name of the four modules is also importable from here (``theory.cl_bound``).
"""
from __future__ import annotations

from .theorem1 import (  # noqa: F401
    ncl_loss_one_sparse, ncl_min_one_sparse, cl_surrogate, cl_bound, cl_surrogate_bruteforce,
    minimize_cl_surrogate, random_unit_columns, permutation_matrices, is_permutation,
    distance_to_permutation, near_permutations, signed_permutations, unit_columns, ncl_loss_enumerated,
    check_ncl_minima, check_negative_entries_worse, check_far_minima, check_bound_attained,
    check_strictly_above, check_minima_are_permutations, cl_batch_loss_mc, cl_large_batch_limit,
    cl_large_batch_minimum, check_batch_convergence, check_surrogate_offset,
)
from .theorem2 import (  # noqa: F401
    latent_second_moment, linear_ncl_loss, expected_linear_grad, linear_gd_coefficients,
    linear_gd_coefficients_closed_form, linear_gd_exact, linear_gd_dataset, linear_gd_minibatch,
    predict_linear_gd, span_residual, best_combination_max_cosine, projected_max_cosine_summary,
    latent_second_moment_matrix, theorem2_deviation, check_theorem2_form, fit_theorem2_coefficients,
    check_coefficient_ranges, learned_max_cosine, check_corollary1, corollary1_case, dataset_deviation,
    check_leaves_plane,
)
from .theorem3 import (  # noqa: F401
    normalize_rows,
    srelu_ncl_loss_exact, srelu_ncl_loss_mc, srelu_ncl_loss_linearized, srelu_ncl_grad_linearized,
    theorem3_bias_range, warm_start, AlternationResult, alternating_optimization,
    theorem3_samples, srelu_ncl_loss_sampled, phase_factor, theorem3_assumption3,
    assumption3_range_along_run, measured_phase_factors, check_phase_factor_below_one,
    check_phase_factor_prediction, distance_to_identity, check_converges, check_stalls,
    check_ends_near_identity, reached, phase_lemma1_deviation, check_cold_starts,
    check_noise_effect,
)
from ._common import Check  # noqa: F401
from .lemma1 import (  # noqa: F401
    lemma1_fixed_point, lemma1_rate, lemma1_asymptotic_rate, lemma1_iterate, check_lemma1_limit,
    check_lemma1_rate, lemma1_trajectory_stats, check_lemma1_second_fixed_point, check_lemma1_violators_converge,
)

__all__ = [
    # theorem1
    'ncl_loss_one_sparse', 'ncl_min_one_sparse', 'cl_surrogate', 'cl_bound', 'cl_surrogate_bruteforce', 'minimize_cl_surrogate', 'random_unit_columns', 'permutation_matrices', 'is_permutation', 'distance_to_permutation',
    'near_permutations', 'signed_permutations', 'unit_columns', 'ncl_loss_enumerated', 'check_ncl_minima', 'check_negative_entries_worse', 'check_far_minima', 'check_bound_attained', 'check_strictly_above', 'check_minima_are_permutations', 'cl_batch_loss_mc', 'cl_large_batch_limit', 'cl_large_batch_minimum', 'check_batch_convergence', 'check_surrogate_offset',
    # theorem2
    'latent_second_moment', 'linear_ncl_loss', 'expected_linear_grad', 'linear_gd_coefficients', 'linear_gd_coefficients_closed_form', 'linear_gd_exact', 'linear_gd_dataset', 'linear_gd_minibatch', 'predict_linear_gd', 'span_residual', 'best_combination_max_cosine', 'projected_max_cosine_summary',
    'latent_second_moment_matrix', 'theorem2_deviation', 'check_theorem2_form', 'fit_theorem2_coefficients', 'check_coefficient_ranges', 'learned_max_cosine', 'check_corollary1', 'corollary1_case', 'dataset_deviation', 'check_leaves_plane',
    # theorem3
    'normalize_rows', 'srelu_ncl_loss_exact', 'srelu_ncl_loss_mc', 'srelu_ncl_loss_linearized', 'srelu_ncl_grad_linearized', 'theorem3_bias_range', 'warm_start', 'AlternationResult', 'alternating_optimization',
    'theorem3_samples', 'srelu_ncl_loss_sampled', 'phase_factor', 'theorem3_assumption3', 'assumption3_range_along_run', 'measured_phase_factors', 'check_phase_factor_below_one', 'check_phase_factor_prediction', 'distance_to_identity', 'check_converges', 'check_stalls', 'check_ends_near_identity', 'reached', 'phase_lemma1_deviation', 'check_cold_starts', 'check_noise_effect',
    # lemma1
    'lemma1_fixed_point', 'lemma1_rate', 'lemma1_asymptotic_rate', 'lemma1_iterate',
    # lemma1 checks and the shared outcome
    'check_lemma1_limit', 'check_lemma1_rate', 'lemma1_trajectory_stats', 'check_lemma1_second_fixed_point', 'check_lemma1_violators_converge', 'Check',
]
