"""Planted bugs (mutation testing): each is a small patch that a test must catch.

Run from the repository root (``make mutants``)::

    .venv/bin/python -m tests.mutants              # every mutant, two at a time
    .venv/bin/python -m tests.mutants -k lemma1    # the mutants whose name contains 'lemma1'
    .venv/bin/python -m tests.mutants --list       # the list, one line each
    .venv/bin/python -m tests.mutants --check      # only check that every patch applies
    .venv/bin/python -m tests.mutants --baseline   # run each mutant's tests unpatched: all must pass
    .venv/bin/python -m tests.mutants --run-equivalent   # also run the documented equivalent ones

Each :class:`Mutant` is ``(file, old, new)``: ``old`` must occur exactly once in ``file`` (else the
mutant is an error, so the list cannot rot silently), plus a short description and the pytest
node ids (or files) expected to catch it.  For each mutant the runner copies ``src/`` into a
temporary folder, patches the copy and runs the named tests from the checkout's ``tests/`` with
the copy first on ``PYTHONPATH`` (a pytest plugin checks that ``landscape`` is imported from the
copy, not from the editable install).  A mutant of a notebook (``notebooks/NAME.py``) is applied
to the notebook source and, identically, to the code cells of a copy of its golden
(``tests/goldens/NAME.ipynb``, whose stored outputs stay those of the correct notebook), and that
copy is re-executed by nbval (``--nbval-lax --nbval-current-env``); it counts as caught only if nbval
reports differing outputs ("Cell outputs differ"), not a crash.  The working tree is never
modified.

Outcome per mutant: ``killed`` (a named test failed), ``survived`` (all passed), ``crashed``
(pytest failed, but not in the expected way: a collection error, or for nbval an exception
instead of an output mismatch), ``error`` (the patch did not apply, or the patched file does not
compile), ``missing`` (none of the named test files exist) and ``equivalent`` (documented as not
observable; not run).  The last line reads ``killed K of N``.

Named test files that do not exist are left out of the run and reported.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import py_compile
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = Path(sys.executable)  # the interpreter that runs this (make mutants: the project's venv)

AUTHORS = "tests/test_authors_code.py"
ENGINE_REF = "tests/test_engine_reference.py"
VALIDATE_TABLE = "tests/test_validate_table.py"
CACHE_KEY = "tests/test_cache_key.py"
KILLERS = "tests/test_mutant_killers.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str              # relative to the repository root
    old: str               # must occur exactly once in ``file``
    new: str
    description: str
    tests: tuple[str, ...]  # pytest node ids or files (tests/goldens/*.ipynb run under nbval)
    equivalent: str | None = None  # why no test can catch it (then it is not run)


M = Mutant
MUTANTS: list[Mutant] = [
    # ------------------------------------------------------------------ data (Eq. 1-3)
    M("data-dictionary-not-orthonormalised", "src/landscape/data.py",
      "    Q, _ = torch.linalg.qr(G)\n    return Q.to(dtype)",
      "    Q, _ = torch.linalg.qr(G)\n    return G.to(dtype)",
      "the dictionary is the raw Gaussian matrix, not its Q factor",
      ("tests/test_data.py::test_dictionary_is_column_orthonormal",)),
    M("data-latents-asymmetric-signs", "src/landscape/data.py",
      "(u > 1 - p_sparse / 2).to(dtype)",
      "(u > 1 - p_sparse).to(dtype)",
      "paper latents: +1 drawn with probability p_sparse instead of p_sparse / 2",
      ("tests/test_data.py::test_paper_latents_second_moment",)),
    M("data-latents-no-redraw", "src/landscape/data.py",
      "todo = todo[(draw == 0).all(dim=1)]",
      "todo = todo[:0]",
      "paper latents: all-zero samples are kept instead of re-drawn",
      ("tests/test_data.py::test_paper_latents_second_moment",)),
    M("data-code-counts-floor", "src/landscape/data.py",
      "s1 = math.ceil(d * p_sparse / 2)",
      "s1 = math.floor(d * p_sparse / 2)",
      "code latents: floor instead of ceil for the number of -1 entries (off by one)",
      ("tests/test_data.py::test_code_latents_are_exactly_k_sparse",)),
    M("data-noise-variance-as-std", "src/landscape/data.py",
      'return math.sqrt(math.log(d) / d) if scheme == "paper"',
      'return math.log(d) / d if scheme == "paper"',
      "paper noise: the variance log d / d used as the standard deviation",
      ("tests/test_data.py::test_noise_scales",)),
    M("data-mask-probability-complemented", "src/landscape/data.py",
      'alpha = masking_prob if meaning == "keep" else 1.0 - masking_prob',
      'alpha = 1.0 - masking_prob if meaning == "keep" else masking_prob',
      "keep probability complemented: the two mask meanings swapped",
      ("tests/test_data.py::test_keep_probability_meanings",)),
    # ------------------------------------------------------------------ models
    M("models-symrelu-paper-sign", "src/landscape/models.py",
      "return torch.relu(u - b) - torch.relu(-u - b)",
      "return torch.relu(u - b) - torch.relu(-u + b)",
      "Eq. 14 SReLU: sign error in the negative branch's threshold",
      ("tests/test_losses.py::test_symrelu_forms_eq14",)),
    M("models-symrelu-code-no-2b", "src/landscape/models.py",
      "return torch.relu(u) - torch.relu(2 * b - u)",
      "return torch.relu(u) - torch.relu(-u)",
      "the public code's SymReLU without its 2b shift",
      ("tests/test_losses.py::test_symrelu_forms_eq14",
       f"{AUTHORS}::test_engine_matches_authors_code[ncl_simplified]")),
    M("models-batchnorm-wrong-axis", "src/landscape/models.py",
      "centred = u - u.mean(dim=1, keepdim=True)",
      "centred = u - u.mean(dim=2, keepdim=True)",
      "BatchNorm centres over the features instead of the samples (wrong normalisation axis)",
      ("tests/test_losses.py::test_batchnorm_matches_torch_training_mode",)),
    M("models-batchnorm-unbiased-variance", "src/landscape/models.py",
      "var = (centred * centred).mean(dim=1, keepdim=True)",
      "var = (centred * centred).sum(dim=1, keepdim=True) / (u.shape[1] - 1)",
      "BatchNorm normalises by the unbiased variance (training mode uses the biased one)",
      ("tests/test_losses.py::test_batchnorm_matches_torch_training_mode",)),
    M("models-head-weight-not-transposed", "src/landscape/models.py",
      'return torch.baddbmm(net["b"][:, None, :], h, net["W"].transpose(1, 2))',
      'return torch.baddbmm(net["b"][:, None, :], h, net["W"])',
      "predictor / projector applies W^T instead of W (square, so no shape error)",
      (f"{AUTHORS}::test_engine_matches_authors_code[ncl_pred_nobn]",)),
    M("models-init-std-not-square-rooted", "src/landscape/models.py",
      "return 1.0 / math.sqrt(cfg.p * cfg.d)",
      "return 1.0 / (cfg.p * cfg.d)",
      "random init N(0, 1/(p d)) drawn with standard deviation 1/(p d)",
      (f"{KILLERS}::test_random_init_has_variance_one_over_p_d",)),
    M("models-warm-noise-variance-as-std", "src/landscape/models.py",
      "return M[:, idx].T + cfg.sigma * torch.randn(",
      "return M[:, idx].T + cfg.sigma ** 2 * torch.randn(",
      "warm start: noise scaled by sigma^2 instead of sigma",
      (f"{AUTHORS}::test_code_warm_start_has_the_authors_distribution[50-10-10-1.0]",)),
    M("models-zero-bias-in-code-reading", "src/landscape/models.py",
      'if cfg.bias_init == "torch":\n        init_biases_(model, generator)',
      'if cfg.bias_init == "torch":\n        pass',
      "bias_init='torch' (the authors' reading: nn.Linear's default) leaves the biases at zero",
      (f"{AUTHORS}::test_torch_bias_init_is_nn_linear_default_and_keeps_the_weights",)),
    M("models-row-norm-wrong-axis", "src/landscape/models.py",
      "W.div_(W.norm(dim=2, keepdim=True).clamp_min(1e-12))",
      "W.div_(W.norm(dim=1, keepdim=True).clamp_min(1e-12))",
      "row normalisation divides by the column norms (wrong axis)",
      ("tests/test_train.py::test_row_and_column_normalisation_hold_after_training",)),
    # ------------------------------------------------------------------ losses
    M("losses-ncl-no-stop-gradient", "src/landscape/losses.py",
      "return ((_unit(a) - _unit(b.detach())) ** 2).sum(-1).mean(-1)",
      "return ((_unit(a) - _unit(b)) ** 2).sum(-1).mean(-1)",
      "Eq. 4: the target branch is not under stop-gradient",
      (f"{KILLERS}::test_ncl_normalized_stops_the_gradient_of_the_target",)),
    M("losses-ncl-inner-factor", "src/landscape/losses.py",
      "return 2.0 - 2.0 * (a * b.detach()).sum(-1).mean(-1)",
      "return 2.0 - (a * b.detach()).sum(-1).mean(-1)",
      "Eq. 6: the factor 2 of the inner product dropped",
      ("tests/test_losses.py::test_ncl_inner_is_eq6_and_stops_gradient",)),
    M("losses-simsiam-own-view", "src/landscape/losses.py",
      "c1 = (_unit(p1) * _unit(z2.detach())).sum(-1)",
      "c1 = (_unit(p1) * _unit(z1.detach())).sum(-1)",
      "SimSiam: the first prediction compared with its own view, not the other one",
      ("tests/test_losses.py::test_simsiam_is_negative_cosine",)),
    M("losses-ntxent-temperature-not-applied", "src/landscape/losses.py",
      "        zs = z * inv_t\n",
      "        zs = z\n",
      "fused NT-Xent: the positive similarity (and the tiled form's logits) not divided by the temperature",
      ("tests/test_losses.py::test_nt_xent_matches_row_by_row_formula",)),
    M("losses-ntxent-self-similarity-kept", "src/landscape/losses.py",
      '    S = S.masked_fill(torch.eye(n2, dtype=torch.bool, device=z.device), float("-inf"))\n',
      "",
      "reference NT-Xent: each view's similarity with itself left among the negatives",
      ("tests/test_losses.py::test_nt_xent_matches_row_by_row_formula",)),
    M("losses-ntxent-gradient-positive-factor", "src/landscape/losses.py",
      "dz[:, :N].sub_(z[:, N:], alpha=2.0)",
      "dz[:, :N].sub_(z[:, N:], alpha=1.0)",
      "fused NT-Xent backward: the positive pair's term counted once instead of twice for the first views",
      ("tests/test_losses.py::test_fused_nt_xent_gradient",)),
    # ------------------------------------------------------------------ engine (train.py)
    M("train-batches-floor", "src/landscape/train.py",
      "n_batches = cfg.n // B if cfg.drop_last else math.ceil(cfg.n / B)",
      "n_batches = cfg.n // B",
      "batches per epoch n // B: the partial last batch dropped even without drop_last",
      (ENGINE_REF, f"{AUTHORS}::test_engine_matches_authors_code[ncl_simplified]")),
    M("train-alternation-swapped", "src/landscape/train.py",
      'upd, other = ("online", "target") if parity == 0 else ("target", "online")',
      'upd, other = ("target", "online") if parity == 0 else ("online", "target")',
      "alternating optimisation starts with the target: online and target swapped",
      ("tests/test_train.py::test_one_step_matches_plain_torch_nn",)),
    M("train-masks-not-swapped-on-target-steps", "src/landscape/train.py",
      "ma, mb = (m1, m2) if parity == 0 else (m2, m1)",
      "ma, mb = m1, m2",
      "target steps feed the online network's view to the target (views not swapped)",
      (f"{AUTHORS}::test_engine_matches_authors_code[ncl_simplified]",)),
    M("train-mask-keep-complemented", "src/landscape/train.py",
      "return torch.from_numpy(bits <= self.thr)",
      "return torch.from_numpy(bits > self.thr)",
      "engine masks keep with probability 1 - alpha (comparison complemented)",
      ("tests/test_train.py::test_mask_rate_of_the_engine",)),
    M("train-dependent-masks-not-doubled", "src/landscape/train.py",
      "return 2.0 * keep, 2.0 - 2.0 * keep",
      "return keep, 1.0 - keep",
      "Eq. 2's views D x and (I - D) x without the factor 2",
      (f"{AUTHORS}::test_complementary_masks_have_the_authors_distribution",)),
    M("train-weight-decay-sign", "src/landscape/train.py",
      "self.decay_t = col([1.0 - c.lr * c.weight_decay for c in configs])",
      "self.decay_t = col([1.0 + c.lr * c.weight_decay for c in configs])",
      "weight decay with the wrong sign (weights grow)",
      (f"{KILLERS}::test_weight_decay_step_is_torch_sgd",)),
    M("train-weight-decay-ignored-at-uniform-lr", "src/landscape/train.py",
      "self.uniform_lr = len(set(self.lr)) == 1 and all(c.weight_decay == 0 for c in configs)",
      "self.uniform_lr = len(set(self.lr)) == 1",
      "the fast path for one learning rate skips the weight decay",
      (f"{KILLERS}::test_weight_decay_step_is_torch_sgd",)),
    M("train-shuffle-wrong-replica-stride", "src/landscape/train.py",
      "flat = (perm + torch.arange(self.R, device=self.device)[:, None] * cfg.n).reshape(-1)",
      "flat = (perm + torch.arange(self.R, device=self.device)[:, None] * cfg.p).reshape(-1)",
      "shuffle offsets replicas by p rows instead of n: replicas read each other's data",
      ("tests/test_train.py::test_batched_equals_alone[ncl-bn-symrelu]",)),
    M("train-predictor-never-trained", "src/landscape/train.py",
      "trained_pred = pred is not None and not cfg.freeze_predictor",
      "trained_pred = False",
      "the non-contrastive predictor is never stepped",
      (f"{AUTHORS}::test_engine_matches_authors_code[ncl_pred_nobn]",)),
    M("train-cl-one-view-twice", "src/landscape/train.py",
      "    h1, h2 = encode(enc, x * m1, cfg), encode(enc, x * m2, cfg)\n    if proj is not None:",
      "    h1, h2 = encode(enc, x * m1, cfg), encode(enc, x * m1, cfg)\n    if proj is not None:",
      "contrastive step encodes the first view twice",
      (f"{AUTHORS}::test_engine_matches_authors_code[simclr_nobn]",)),
    M("train-epoch-loss-divided-by-n", "src/landscape/train.py",
      "        return total / n_batches\n",
      "        return total / cfg.n\n",
      "the epoch's loss is the sum of step losses over n, not their mean",
      (f"{KILLERS}::test_epoch_loss_is_the_mean_step_loss",)),
    M("train-target-forward-without-no-grad", "src/landscape/train.py",
      "    with torch.no_grad():\n        hb = encode(other, x * mb, cfg)\n",
      "    hb = encode(other, x * mb, cfg)\n",
      "the non-contrastive target branch is encoded with autograd on (missing torch.no_grad)",
      ("tests/test_train.py::test_one_step_matches_plain_torch_nn",
       f"{AUTHORS}::test_engine_matches_authors_code[ncl_pred_bn]"),
      equivalent="the losses detach the target themselves (SG in ncl_normalized / ncl_inner) and the "
                 "step differentiates only the updated branch's parameters, so every number is "
                 "bit-identical; only memory and time grow (run it with --run-equivalent: its tests pass)"),
    # ------------------------------------------------------------------ metrics (Eq. 11)
    M("metrics-normalise-wrong-axis", "src/landscape/metrics.py",
      "Wn = W / W.norm(dim=-1, keepdim=True).clamp_min(eps)",
      "Wn = W / W.norm(dim=-2, keepdim=True).clamp_min(eps)",
      "max-cosine normalises W's columns instead of its rows (neurons)",
      ("tests/test_metrics.py::test_invariant_to_row_scaling_sign_and_permutation",)),
    M("metrics-no-absolute-value", "src/landscape/metrics.py",
      "return (Wn @ Mn).abs().amax(dim=-2)",
      "return (Wn @ Mn).amax(dim=-2)",
      "Eq. 11 without |.|: a neuron with the opposite sign does not count",
      ("tests/test_metrics.py::test_invariant_to_row_scaling_sign_and_permutation",)),
    M("metrics-median-upper-middle", "src/landscape/metrics.py",
      "lo, hi = (d - 1) // 2, d // 2",
      "lo, hi = d // 2, d // 2",
      "median of an even count is the upper middle value, not the mean of the two middle ones",
      (f"{KILLERS}::test_summary_median_is_numpys_for_even_d",)),
    # ------------------------------------------------------------------ config (validate, readings)
    M("config-negative-weight-decay-accepted", "src/landscape/config.py",
      '    if c.weight_decay < 0:\n        raise ValueError(f"weight_decay must be >= 0, got {c.weight_decay}")\n',
      "",
      "validate() no longer refuses a negative weight decay",
      (VALIDATE_TABLE,)),
    M("config-drop-last-empty-accepted", "src/landscape/config.py",
      "if c.batch_size > c.n and c.drop_last:",
      "if c.batch_size > c.n and c.drop_last and False:",
      "validate() accepts batch_size > n with drop_last (an epoch without batches)",
      (VALIDATE_TABLE,)),
    M("config-warm-sigma-exponent", "src/landscape/config.py",
      "self.p ** (-self.warm_c / 2)",
      "self.p ** (-self.warm_c)",
      "warm start sigma = p^-c instead of p^(-c/2)",
      ("tests/test_config.py::test_defaults_are_the_papers_reading",)),
    M("config-code-reading-zero-bias", "src/landscape/config.py",
      'noise="code", symrelu_form="code", bias_init="torch",',
      'noise="code", symrelu_form="code", bias_init="zero",',
      "the code reading starts biases at zero although the authors' code keeps nn.Linear's init",
      (f"{AUTHORS}::test_the_code_reading_preset_is_the_reading_the_differential_tests_verify",)),
    M("config-code-reading-cl-independent-masks", "src/landscape/config.py",
      'ch.update(augmentation="dependent", drop_last=True)',
      'ch.update(augmentation="independent", drop_last=True)',
      "the code reading of the contrastive script draws independent masks (it draws 2Dx, 2(I-D)x)",
      (f"{AUTHORS}::test_the_code_reading_preset_is_the_reading_the_differential_tests_verify",)),
    # ------------------------------------------------------------------ cache (run_key)
    M("cache-key-without-dtype", "src/landscape/cache.py",
      '"dtype": str(dtype), "compiled": compiled,',
      '"compiled": compiled,',
      "run_key ignores the dtype: float32 and float64 runs share a cache entry",
      (CACHE_KEY, f"{AUTHORS}::test_new_fields_leave_existing_cache_keys_unchanged")),
    M("cache-key-without-compiled", "src/landscape/cache.py",
      '"dtype": str(dtype), "compiled": compiled,',
      '"dtype": str(dtype),',
      "run_key ignores the compiled flag: compiled and eager runs share a cache entry",
      (CACHE_KEY, f"{AUTHORS}::test_new_fields_leave_existing_cache_keys_unchanged")),
    M("cache-key-without-kernel", "src/landscape/cache.py",
      '    if kernels:\n        payload["kernel"] = kernels\n',
      "",
      "run_key ignores which NT-Xent kernel ran",
      ("tests/test_cache.py::test_the_contrastive_key_names_the_kernel_that_runs",)),
    # ------------------------------------------------------------------ theory
    M("theory-lemma1-asymptotic-rate-factor-2", "src/landscape/theory/lemma1.py",
      "return 1.0 / (1.0 + c * s)",
      "return 1.0 / (1.0 + 2.0 * c * s)",
      "Lemma 1's asymptotic per-step factor 1/(1 + 2 c s) instead of 1/(1 + c s)",
      (f"{KILLERS}::test_lemma1_asymptotic_rate_is_the_measured_step_ratio",)),
    M("theory-lemma1-gamma-c-not-squared", "src/landscape/theory/lemma1.py",
      "return 1.0 / math.sqrt(1.0 + s2 * c * c)",
      "return 1.0 / math.sqrt(1.0 + s2 * c)",
      "Eq. 26's gamma with c instead of c^2",
      ("tests/test_theory.py::test_lemma1_converges_to_fixed_point_at_rate_gamma",)),
    M("theory-cl-bound-exponent-sign", "src/landscape/theory/theorem1.py",
      "math.log1p((d - 1) * math.exp(-tau))",
      "math.log1p((d - 1) * math.exp(tau))",
      "Eq. 20's bound with exp(+tau) (sign error)",
      ("tests/test_theory.py::test_cl_bound_closed_form",)),
    M("theory-ncl-one-sparse-alpha-not-squared", "src/landscape/theory/theorem1.py",
      "        return 2.0 - 2.0 * alpha ** 2 * s.mean(dim=-1)",
      "        return 2.0 - 2.0 * alpha * s.mean(dim=-1)",
      "Eq. 6 under one-hot latents with alpha instead of alpha^2 = E[D1_jj D2_jj]",
      ("tests/test_theory.py::test_ncl_loss_one_sparse_matches_enumeration",)),
    M("theory-kappa-without-redraw", "src/landscape/theory/theorem2.py",
      "return float(p_sparse / (1.0 - (1.0 - p_sparse) ** d))",
      "return float(p_sparse)",
      "kappa of the paper's latents ignores the re-draw of all-zero vectors",
      ("tests/test_theory.py::test_latent_second_moment_matches_sampling",)),
    M("theory-expected-grad-alpha-not-squared", "src/landscape/theory/theorem2.py",
      "return -2.0 * alpha ** 2 * Wt @ S, -2.0 * alpha ** 2 * Wo @ S",
      "return -2.0 * alpha * Wt @ S, -2.0 * alpha * Wo @ S",
      "App. C.1's expected gradient with alpha instead of alpha^2",
      ("tests/test_theory.py::test_expected_linear_grad_is_the_gradient_of_the_expected_loss",)),
    M("theory-phase-factor-bias-sign", "src/landscape/theory/theorem3.py",
      "return alpha ** 2 * kappa / (1.0 - bias)",
      "return alpha ** 2 * kappa / (1.0 + bias)",
      "App. C.3's per-phase factor alpha^2 kappa / (1 + b) (sign error); caught by the page's golden, "
      "which shows that nbval's kernel imports the mutated copy",
      ("tests/goldens/theorem-3.ipynb",)),
    # ------------------------------------------------------------------ notebooks (nbval goldens)
    M("notebook-theorem3-alpha-not-squared", "notebooks/theorem-3.py",
      "a2k = alpha ** 2 * kappa",
      "a2k = alpha * kappa",
      "Theorem 3 page: the predicted contraction alpha^2 kappa computed as alpha kappa",
      ("tests/goldens/theorem-3.ipynb",)),
]


# ============================================================================ applying a mutant
class PatchError(ValueError):
    pass


def patch_text(text: str, m: Mutant, where: str) -> str:
    count = text.count(m.old)
    if count != 1:
        raise PatchError(f"{m.name}: the snippet occurs {count} times in {where} (must be exactly once): {m.old!r}")
    return text.replace(m.old, m.new)


def _golden_of(m: Mutant) -> Path | None:
    if m.file.startswith("notebooks/") and m.file.endswith(".py"):
        return ROOT / "tests" / "goldens" / (Path(m.file).stem + ".ipynb")
    return None


def patch_golden(path: Path, m: Mutant) -> None:
    """Apply ``m`` to the code cells of the golden copy at ``path`` (exactly one occurrence)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    hits = [c for c in nb.cells if c.cell_type == "code" and m.old in c.source]
    total = sum(c.source.count(m.old) for c in hits)
    if total != 1:
        raise PatchError(f"{m.name}: the snippet occurs {total} times in the code cells of {path.name}")
    hits[0].source = hits[0].source.replace(m.old, m.new)
    nbformat.write(nb, path)


def _check_golden_mirrors_source(py: Path, golden: Path, m: Mutant) -> None:
    """The patched golden's code cells are the patched notebook's (as `make goldens` would store them)."""
    import jupytext
    import nbformat

    def source_code_cells(nb) -> list[str]:  # as landscape.companion.execute's (not imported here)
        return [c.source for c in nb.cells if c.cell_type == "code"
                and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]

    if source_code_cells(jupytext.read(py)) != source_code_cells(nbformat.read(golden, as_version=4)):
        raise PatchError(f"{m.name}: the patched golden's code cells differ from the patched {m.file}")


def prepare(m: Mutant, tmp: Path, apply: bool = True) -> dict[str, Path]:
    """Copy what the mutant needs into ``tmp`` and patch it there: ``src`` (always), and for a
    notebook mutant the notebook and its golden (under ``work``)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "src", tmp / "src", ignore=ignore)
    work = tmp / "work"
    work.mkdir()
    goldens = {t for t in m.tests if t.endswith(".ipynb")}
    for g in goldens:  # the golden and its sidecars (NAME.key_numbers.json, compared by the page)
        for f in (ROOT / g).parent.glob(Path(g).stem + ".*"):
            shutil.copy(f, work / f.name)
    target = tmp / m.file
    if not m.file.startswith("src/"):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / m.file, target)
    if apply:
        target.write_text(patch_text(target.read_text(), m, m.file))
        if target.suffix == ".py":
            try:
                py_compile.compile(str(target), cfile=str(tmp / "compiled.pyc"), doraise=True)
            except py_compile.PyCompileError as exc:
                raise PatchError(f"{m.name}: the patched {m.file} does not compile: {exc.msg}") from None
        golden = _golden_of(m)
        if golden is not None:
            copy = work / golden.name
            if not copy.exists():
                shutil.copy(golden, copy)
            patch_golden(copy, m)
            _check_golden_mirrors_source(target, copy, m)
    return {"src": tmp / "src", "work": work}


# ============================================================================ running
GUARD = '''\
"""Loaded with -p: fail the session unless landscape comes from the mutated copy."""
import os
from pathlib import Path


def pytest_sessionstart(session):
    import landscape
    where = Path(landscape.__file__).resolve()
    expected = Path(os.environ["LANDSCAPE_MUTANT_SRC"]).resolve()
    if not where.is_relative_to(expected):
        raise RuntimeError(f"landscape imported from {where}, not from the mutated copy {expected}")
    Path(os.environ["LANDSCAPE_MUTANT_SRC"]).parent.joinpath("imported-from").write_text(str(where))
'''


@dataclass
class Outcome:
    mutant: Mutant
    status: str
    seconds: float = 0.0
    detail: str = ""
    missing: list[str] = field(default_factory=list)
    log: str = ""


def _env(tmp: Path, src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(tmp / "plugins"), *filter(None, [env.get("PYTHONPATH")])])
    env["LANDSCAPE_MUTANT_SRC"] = str(src)
    env["PYTHONDONTWRITEBYTECODE"] = "1"           # nothing written into the checkout's tests/
    env["LANDSCAPE_CACHE_DIR"] = str(tmp / "cache")
    env["LANDSCAPE_OUTPUT_DIR"] = str(tmp / "outputs")
    env["LANDSCAPE_SHIPPED_DIR"] = str(tmp / "no-shipped-results")
    env["LANDSCAPE_GOLDEN_DIR"] = str(tmp / "work")  # the goldens' key numbers: the copies there
    env.pop("LANDSCAPE_GOLDEN_MODE", None)           # compare, never record
    env.setdefault("MPLBACKEND", "Agg")
    return env


def _pytest(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str]:
    cmd = [str(PY), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "mutant_guard", *args]
    # a session of its own, so that a timeout ends pytest and what it started (nbval's kernel)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return -1, (out or "") + f"\n[timed out after {timeout:.0f} s]"
    return proc.returncode, out


def _summary(out: str) -> str:
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    return lines[-1].strip("= ") if lines else ""


def _judge(rc: int, out: str, nbval: bool) -> tuple[str, str]:
    """``killed`` only for a test failure of the expected kind (an nbval output mismatch)."""
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # nbval's colours
    summary = _summary(out)
    failed = re.search(r"^FAILED (.+?)(?: - (.*))?$", out, re.M)
    if failed:  # which test, and why (pytest's -ra short summary)
        summary += f" [{failed.group(1).split('::', 1)[-1]}: {(failed.group(2) or '').strip()[:90]}]"
    if rc == 0:
        return "survived", summary
    if rc == 1 and re.search(r"\b\d+ failed\b", summary):
        if nbval:
            if "Cell outputs differ" in out and "Cell execution caused an exception" not in out:
                return "killed", summary + " (nbval: cell outputs differ)"
            return "crashed", summary + " (nbval failed without an output mismatch)"
        return "killed", summary
    return "crashed", f"pytest exit {rc}: {summary}"


def run_mutant(m: Mutant, *, baseline: bool = False, timeout: float = 900.0, keep: bool = False,
               run_equivalent: bool = False) -> Outcome:
    if m.equivalent and not (baseline or run_equivalent):
        return Outcome(m, "equivalent", 0.0, "not run: " + m.equivalent)
    o = _run_mutant(m, baseline=baseline, timeout=timeout, keep=keep)
    if m.equivalent and not baseline:
        if o.status == "survived":
            o.status, o.detail = "equivalent", f"{o.detail} (documented equivalent; its tests pass)"
        elif o.status == "killed":
            o.detail += " (documented as equivalent, yet killed: the documentation is wrong)"
    return o


def _run_mutant(m: Mutant, *, baseline: bool, timeout: float, keep: bool) -> Outcome:
    t0 = time.perf_counter()
    lib = [t for t in m.tests if not t.endswith(".ipynb")]
    goldens = [t for t in m.tests if t.endswith(".ipynb")]
    missing = [t for t in m.tests if not (ROOT / t.split("::")[0]).exists()]
    lib = [t for t in lib if t not in missing]
    goldens = [t for t in goldens if t not in missing]
    if not lib and not goldens:
        return Outcome(m, "missing", 0.0, "none of the named test files exist", missing)
    tmp = Path(tempfile.mkdtemp(prefix=f"mutant-{m.name}-"))
    try:
        try:
            paths = prepare(m, tmp, apply=not baseline)
        except PatchError as exc:
            return Outcome(m, "error", time.perf_counter() - t0, str(exc), missing)
        (tmp / "plugins").mkdir()
        (tmp / "plugins" / "mutant_guard.py").write_text(GUARD)
        env = _env(tmp, paths["src"])
        logs, status, detail = [], "survived", ""
        runs = []
        if lib:
            runs.append((lib, ROOT, False))
        if goldens:
            runs.append(([str(paths["work"] / Path(g).name) for g in goldens]
                         + ["--nbval-lax", "--nbval-current-env", "--rootdir", str(paths["work"])],
                         paths["work"], True))
        for args, cwd, nbval in runs:
            rc, out = _pytest(args, cwd, env, timeout)
            logs.append(out)
            status, detail = _judge(rc, out, nbval)
            imported = tmp / "imported-from"
            if status != "crashed" and not imported.exists():
                status, detail = "crashed", "the import guard did not run"
            if status != "survived":
                break
        return Outcome(m, status, time.perf_counter() - t0, detail, missing, "\n".join(logs))
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def check_all(mutants: list[Mutant]) -> list[str]:
    """Apply every patch in memory (no tests): the problems found, one line each."""
    problems = []
    for m in mutants:
        try:
            patch_text((ROOT / m.file).read_text(), m, m.file)
            golden = _golden_of(m)
            if golden is not None:
                import nbformat
                nb = nbformat.read(golden, as_version=4)
                n = sum(c.source.count(m.old) for c in nb.cells if c.cell_type == "code")
                if n != 1:
                    raise PatchError(f"{m.name}: the snippet occurs {n} times in the code cells of {golden.name}")
        except (PatchError, OSError) as exc:
            problems.append(str(exc))
        if not m.tests:
            problems.append(f"{m.name}: names no test")
    names = [m.name for m in mutants]
    problems += [f"duplicate mutant name {n}" for n in sorted({n for n in names if names.count(n) > 1})]
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.mutants", description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", dest="select", default="", help="run the mutants whose name contains this")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="mutants run at once (default 2)")
    ap.add_argument("--list", action="store_true", help="print the mutants, one line each")
    ap.add_argument("--check", action="store_true", help="only check that every patch applies")
    ap.add_argument("--baseline", action="store_true",
                    help="run each mutant's tests on the unpatched copy (they must all pass)")
    ap.add_argument("--run-equivalent", action="store_true",
                    help="also run the mutants documented as equivalent (their tests must pass)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per pytest run")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copies")
    ap.add_argument("--json", type=Path, help="also write the outcomes here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the pytest output of unexpected outcomes")
    a = ap.parse_args(argv)
    mutants = [m for m in MUTANTS if a.select in m.name]
    if a.list:
        for m in mutants:
            flag = " [equivalent]" if m.equivalent else ""
            print(f"{m.name:44s} {m.file:34s} {m.description}{flag}  <- {', '.join(m.tests)}")
        return 0
    problems = check_all(mutants)
    if problems:
        print("\n".join(problems))
    if a.check:
        print(f"{len(mutants) - len(problems)} of {len(mutants)} patches apply" if not problems else "")
        return 1 if problems else 0
    t0 = time.perf_counter()
    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def report(o: Outcome) -> None:
        with lock:
            extra = f"  (missing: {', '.join(o.missing)})" if o.missing else ""
            print(f"{o.status:10s} {o.mutant.name:44s} {o.seconds:6.1f}s  {o.detail}{extra}", flush=True)
            expected_bad = (o.status != "survived") if a.baseline else (o.status not in ("killed", "equivalent"))
            if a.verbose and expected_bad and o.log:
                print(o.log[-6000:], flush=True)

    with cf.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(run_mutant, m, baseline=a.baseline, timeout=a.timeout, keep=a.keep,
                               run_equivalent=a.run_equivalent) for m in mutants]
        for f in cf.as_completed(futures):
            o = f.result()
            outcomes.append(o)
            report(o)
    order = {m.name: i for i, m in enumerate(mutants)}
    outcomes.sort(key=lambda o: order[o.mutant.name])
    wall = time.perf_counter() - t0
    if a.json:
        a.json.write_text(json.dumps([dict(name=o.mutant.name, status=o.status, seconds=round(o.seconds, 1),
                                           detail=o.detail, missing=o.missing) for o in outcomes], indent=1))
    counts = {s: sum(o.status == s for o in outcomes) for s in
              ("killed", "survived", "crashed", "error", "missing", "equivalent")}
    print("; ".join(f"{k} {v}" for k, v in counts.items() if v) + f"; wall {wall:.0f} s")
    if a.baseline:
        ok = counts["survived"] + counts["missing"] == len(outcomes)
        print(f"baseline: {counts['survived']} of {len(outcomes)} test selections pass unpatched")
        return 0 if ok else 1
    if counts["equivalent"]:
        print(f"{counts['equivalent']} documented as equivalent (not counted below)")
    print(f"killed {counts['killed']} of {len(outcomes) - counts['equivalent']}")
    return 0 if counts["killed"] + counts["equivalent"] == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
