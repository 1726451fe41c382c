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
    distance_to_permutation,
)
from .theorem2 import (  # noqa: F401
    latent_second_moment, linear_ncl_loss, expected_linear_grad, linear_gd_coefficients,
    linear_gd_coefficients_closed_form, linear_gd_exact, linear_gd_dataset, linear_gd_minibatch,
    predict_linear_gd, span_residual, best_combination_max_cosine, projected_max_cosine_summary,
)
from .theorem3 import (  # noqa: F401
    normalize_rows,
    srelu_ncl_loss_exact, srelu_ncl_loss_mc, srelu_ncl_loss_linearized, srelu_ncl_grad_linearized,
    theorem3_bias_range, warm_start, AlternationResult, alternating_optimization,
)
from .lemma1 import (  # noqa: F401
    lemma1_fixed_point, lemma1_rate, lemma1_asymptotic_rate, lemma1_iterate,
)

__all__ = [
    # theorem1
    'ncl_loss_one_sparse', 'ncl_min_one_sparse', 'cl_surrogate', 'cl_bound', 'cl_surrogate_bruteforce', 'minimize_cl_surrogate', 'random_unit_columns', 'permutation_matrices', 'is_permutation', 'distance_to_permutation',
    # theorem2
    'latent_second_moment', 'linear_ncl_loss', 'expected_linear_grad', 'linear_gd_coefficients', 'linear_gd_coefficients_closed_form', 'linear_gd_exact', 'linear_gd_dataset', 'linear_gd_minibatch', 'predict_linear_gd', 'span_residual', 'best_combination_max_cosine', 'projected_max_cosine_summary',
    # theorem3
    'normalize_rows', 'srelu_ncl_loss_exact', 'srelu_ncl_loss_mc', 'srelu_ncl_loss_linearized', 'srelu_ncl_grad_linearized', 'theorem3_bias_range', 'warm_start', 'AlternationResult', 'alternating_optimization',
    # lemma1
    'lemma1_fixed_point', 'lemma1_rate', 'lemma1_asymptotic_rate', 'lemma1_iterate',
]
