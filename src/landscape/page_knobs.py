"""The parameters of the pages without an experiment definition: their types and ranges.

A figure or table page's knobs are :data:`landscape.experiments.KNOBS`; the theorem pages and the
paper-vs-code page declare their parameters in their own ``parameters`` cell, and this module
gives each of them a :class:`~landscape.experiments.Knob` (type, range, choices) in
:data:`PAGES`, with the value a ``None`` parameter takes in each profile and the checks that
involve several parameters (sizes that must agree, memory the page would need).
``landscape run`` and ``landscape sweep`` check every parameter against it before a kernel
starts (:func:`landscape.companion.parameters.validate_parameters`); a test holds it equal to
the notebooks' parameters cells, so that a parameter added to a page without a range fails it.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

from . import budget, profiles
from .config import SEED_LIMIT
from .experiments import Knob, closest
from .profiles import PROFILES

__all__ = ["PAGES", "EXPERIMENT_PAGE_KNOBS", "PageParameters", "get", "knob"]

#: Bytes of one float64.
F64 = 8


@dataclasses.dataclass(frozen=True)
class PageParameters:
    """The parameters of one page: a knob per parameter; ``profile_values``: what a parameter
    left at ``None`` takes, ``(smoke, paper)``; ``check``: a check of the resolved values taken
    together (raises ``ValueError``); ``estimate``: memory and time of the page's heaviest step."""

    name: str
    knobs: Mapping[str, Knob]
    profile_values: Mapping[str, tuple[Any, Any]] = dataclasses.field(default_factory=dict)
    check: Callable[[Mapping[str, Any]], None] | None = None
    estimate: Callable[[str, Mapping[str, Any]], budget.Estimate] | None = None

    def resolved(self, profile: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` with each ``None`` that has a profile value replaced by it."""
        pick = PROFILES.index(profile)
        return {k: (self.profile_values[k][pick] if v is None and k in self.profile_values else v)
                for k, v in values.items()}

    def validate(self, profile: str, values: Mapping[str, Any]) -> None:
        """Check the page's complete parameter values (the notebook's defaults with the
        overrides, each already checked by its knob) together; ``ValueError`` naming them."""
        full = self.resolved(profile, values)
        if self.check is not None:
            self.check(full)
        if self.estimate is not None:
            budget.check(self.estimate(profile, full), f"this run ({profile} profile)")


def _k(name: str, kind: str, help: str, **kw: Any) -> Knob:
    return Knob(name=name, kind=kind, help=help, **kw)


def _seed(what: str = "every random draw on this page") -> Knob:
    return _k("seed", "int", f"seed of {what}", low=0, high=SEED_LIMIT - 1)


def _prob(name: str, help: str) -> Knob:
    return _k(name, "float", help, low=0, low_open=True, high=1)


def _count(name: str, help: str, high: int, low: int = 1) -> Knob:
    return _k(name, "int", help, low=low, high=high)


def _positive(name: str, help: str, high: float | None = None) -> Knob:
    return _k(name, "float", help, low=0, low_open=True, high=high)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _memory_only(nbytes: float, sizes: str) -> budget.Estimate:
    return budget.Estimate(budget.BASE_BYTES + nbytes, 0.0, 0, sizes)


# ----------------------------------------------------------------------------- theorem 1
def _theorem1_estimate(profile: str, v: Mapping[str, Any]) -> budget.Estimate:
    d = v["d"]
    mc = 6 * F64 * v["n_batch_mc"] * max(v["batch_sizes"])      # Eq. 8's [draws, batch] buffers
    families = 12 * F64 * v["n_random"] * d * d                 # the random matrices and their losses
    starts = 8 * F64 * v["n_starts"] * d * d * 4                # projected-gradient starts and records
    return _memory_only(max(mc, families, starts) + 200 * 2 ** 20,
                        f"n_batch_mc={v['n_batch_mc']} x max(batch_sizes)={max(v['batch_sizes'])}, "
                        f"n_random={v['n_random']}, n_starts={v['n_starts']}, d={d}")


THEOREM_1 = PageParameters("theorem-1", {k.name: k for k in [
    _count("d", "dimension d, also p and m (Eq. 16 is enumerated over 2^d masks)", high=14, low=2),
    _prob("alpha", "mask keep probability, D_jj ~ Bernoulli(alpha) (Eq. 3)"),
    _positive("tau", "inverse temperature tau of Eq. 8 / Eq. 16", high=1e6),
    _count("n_random", "random matrices per family", high=10 ** 6),
    _count("n_starts", "projected-gradient random starts per start family", high=10 ** 5),
    _count("steps", "projected-gradient steps", high=10 ** 7),
    _positive("lr", "projected-gradient step size", high=1e6),
    _k("near_scale", "float", "near-permutations P + near_scale |N(0, 1)|", low=0, high=1e6),
    _k("batch_sizes", "ints", "batch sizes |B| for the finite-batch Eq. 8", low=1, high=10 ** 6),
    _count("n_batch_mc", "Monte-Carlo draws per batch size", high=10 ** 9, low=2),
    _seed(),
]}, profile_values={"d": (6, 10), "n_random": (500, 2000), "n_starts": (16, 48), "steps": (300, 600),
                    "n_batch_mc": (10000, 40000)},
    estimate=_theorem1_estimate)


# ----------------------------------------------------------------------------- theorem 2
def _theorem2_check(v: Mapping[str, Any]) -> None:
    d, p = v["d"], v["p"]
    m = p if v["m"] is None else v["m"]
    _require(p >= d, f"p must be >= d (the dictionary has orthonormal columns), got p={p} < d={d}")
    _require(m >= 1, f"m must be >= 1, got {m}")
    _require(v["batch"] <= v["n_data"], f"batch must be <= n_data (a minibatch is drawn from the "
                                        f"n_data samples), got batch={v['batch']} > n_data={v['n_data']}")


def _theorem2_estimate(profile: str, v: Mapping[str, Any]) -> budget.Estimate:
    p = v["p"]
    m = p if v["m"] is None else v["m"]
    records = (v["steps"] // v["record_every"] + 2) * 2 * m * p * F64 * 6   # recorded weights, 6 runs
    data = 6 * F64 * max(v["n_data"], *v["drift_n"]) * p
    return _memory_only(records + data, f"steps={v['steps']} / record_every={v['record_every']} recorded "
                                         f"m x p = {m} x {p} weights; n_data={v['n_data']}, "
                                         f"max(drift_n)={max(v['drift_n'])}")


THEOREM_2 = PageParameters("theorem-2", {k.name: k for k in [
    _count("d", "latent dimension d", high=10 ** 4),
    _count("p", "input dimension p (>= d)", high=10 ** 4),
    _count("m", "neurons m", high=10 ** 4),
    _prob("alpha", "mask keep probability, D_jj ~ Bernoulli(alpha) (Eq. 3)"),
    _prob("p_sparse", "Pr(z_i nonzero)"),
    _k("latents", "str", "latent scheme of landscape.data", choices=("paper", "one_hot")),
    _k("noise", "str", "noise scheme of landscape.data", choices=("paper", "code", "none")),
    _positive("eta", "learning rate eta_t (constant)", high=1e6),
    _k("weight_decay", "float|str", "lambda_t: a rule or a number", choices=("sum_preserving", "paper_example"),
       low=0, high=1e6),
    _count("steps", "gradient steps T", high=10 ** 7),
    _count("n_data", "dataset size for the sampled-data runs", high=10 ** 8),
    _count("batch", "minibatch size (<= n_data)", high=10 ** 8),
    _count("record_every", "record the weights every this many steps", high=10 ** 7),
    _k("drift_n", "ints", "sample sizes n of the finite-sample drift illustration", low=1, high=10 ** 8),
    _seed(),
]}, profile_values={"p": (20, 50), "steps": (300, 2000), "batch": (256, 512), "record_every": (10, 50)},
    check=_theorem2_check, estimate=_theorem2_estimate)


# ----------------------------------------------------------------------------- theorem 3
def _theorem3_check(v: Mapping[str, Any]) -> None:
    _require(v["bias"] < 1, f"bias must be < 1 (with unit rows and |x_i| <= 1 a bias >= 1 silences every "
                            f"unit), got {v['bias']}")


def _theorem3_estimate(profile: str, v: Mapping[str, Any]) -> budget.Estimate:
    d = v["d"]
    states = 7 ** d * d * F64 * 8 * max(1, v["n_cold"])       # Eq. 13's 7^d joint values, per start
    samples = 6 * F64 * d * max(v["noise_samples"], v["c3_mc_samples"])
    return _memory_only(max(states, samples), f"7^d states with d={d} for n_cold={v['n_cold']} starts; "
                                              f"noise_samples={v['noise_samples']}, "
                                              f"c3_mc_samples={v['c3_mc_samples']}")


THEOREM_3 = PageParameters("theorem-3", {k.name: k for k in [
    _count("d", "dimension d, also p and m (the exact expectation enumerates 7^d states)", high=7, low=2),
    _prob("alpha", "mask keep probability, D_jj ~ Bernoulli(alpha)"),
    _prob("kappa", "Pr(z_i nonzero), also E z_i^2 (Assumption 1)"),
    _k("bias", "float", "the fixed bias b_i of every unit (Assumption 3)", low=0, high=1),
    _k("warm_scale", "float", "warm start I + Delta, Delta_ij ~ N(0, (warm_scale / d)^2)", low=0, high=1e3),
    _positive("eta", "step size of each normalised gradient step", high=1e6),
    _count("alternations", "rounds of (Wo phase, Wt phase)", high=10 ** 4),
    _count("inner_steps", "cap on the steps of one phase", high=10 ** 6),
    _positive("tol", "a phase has converged when no entry moves more than this", high=1.0),
    _count("nonorm_steps", "steps per phase without row normalisation", high=10 ** 6),
    _count("n_cold", "cold (random) starts", high=10 ** 4),
    _k("bad_biases", "floats", "biases outside the admissible range to try", low=0, high=1e3),
    _prob("fail_alpha", "alpha of the case where b violates the o(1) condition"),
    _prob("fail_kappa", "kappa of that case"),
    _k("noise_sigma", "float", "noise std sigma0 of the noisy case", low=0, high=1e3),
    _count("noise_samples", "fixed draws of the noisy case's sample-average loss", high=10 ** 8, low=2),
    _count("c3_mc_samples", "Monte-Carlo draws for the App. C.3 erratum", high=10 ** 9, low=2),
    _count("n_bias", "bias values in the sweep over [0, 1.2]", high=10 ** 4, low=2),
    _count("sweep_inner_steps", "cap on the steps of one phase in the bias sweep", high=10 ** 6),
    _k("lemma_a", "floats", "Lemma 1's a", low=-1e6, high=1e6),
    _k("lemma_d", "ints", "Lemma 1's d", low=1, high=10 ** 6),
    _k("lemma_c", "floats", "Lemma 1's step c (constant in t)", low=0, low_open=True, high=1e6),
    _count("lemma_steps", "Lemma 1 iterations", high=10 ** 7),
    _seed(),
]}, profile_values={"d": (4, 5), "alternations": (6, 8), "n_cold": (3, 8), "n_bias": (9, 13),
                    "noise_samples": (20000, 100000)},
    check=_theorem3_check, estimate=_theorem3_estimate)


# ----------------------------------------------------------------------------- paper vs code
def _paper_vs_code_estimate(profile: str, v: Mapping[str, Any]) -> budget.Estimate:
    from . import paper_vs_code

    return budget.total(paper_vs_code.all_configs(profile, v["epochs"], v["seed"]))


PAPER_VS_CODE = PageParameters("paper-vs-code", {k.name: k for k in [
    _count("epochs", "training epochs of every comparison", high=10 ** 12),
    _seed("the runs (data, dictionary, initialisation)"),
]}, estimate=_paper_vs_code_estimate)


# ----------------------------------------------------------------------------- the atlas
def _atlas_estimate(name: str) -> Callable[[str, Mapping[str, Any]], budget.Estimate]:
    def estimate(profile: str, v: Mapping[str, Any]) -> budget.Estimate:
        from . import atlas

        return budget.total(cfgs for *_, cfgs in atlas.cells(atlas.get(name), v, profile))
    return estimate


def _atlas_knobs(*extra: Knob, cl: bool = True) -> dict[str, Knob]:
    common = [
        _count("runs", "seeds per grid point and model (seed, seed + 1, ...)", high=1000),
        _count("epochs_ncl", "training epochs of the non-contrastive models", high=10 ** 7),
        _count("extend", "a cell still moving over its last quarter (by more than 0.02) is trained again "
               "at 2, 4, ... times its epochs, up to this factor (1: never)", high=1024),
        _seed("the runs: run i of every grid point uses seed + i"),
        _k("train_missing", "bool", "train the grid points not stored yet (None: smoke yes, paper no: "
           "the paper-scale grid is trained by `landscape sweep` and shipped)"),
    ]
    if cl:
        common.insert(1, _count("epochs_cl", "training epochs of the contrastive models", high=10 ** 7))
    return {k.name: k for k in [*extra, *common]}


_ATLAS_RUNS = {"runs": (2, 3), "epochs_cl": (50, 2000), "epochs_ncl": (50, 8000), "extend": (1, 4),
               "train_missing": (True, False)}


def _noise_grid() -> tuple[list[float], list[float]]:
    from .data import noise_std

    text, code = noise_std(10, "paper"), noise_std(10, "code")
    return [0.0, text], [0.0, 0.01, 0.02, 0.05, 0.1, code, 0.3, text, 0.8]


ATLAS_NOISE = PageParameters("atlas-noise", _atlas_knobs(
    _k("noise_stds", "floats", "noise standard deviations (the columns)", low=0, high=100),
    _k("keep_probs", "floats", "keep probabilities of the independent masks of Eq. 3 (one row each)",
       low=0, low_open=True, high=1),
    _k("dependent", "bool", "add a row with the dependent masks of Eq. 2 (2Dx, 2(I - D)x)"),
    _prob("p_sparse", "Pr(sparse) = Pr(z_i = +-1)"),
), profile_values={"noise_stds": _noise_grid(), "keep_probs": ([0.5], [0.2, 0.5, 0.8]), **_ATLAS_RUNS},
    estimate=_atlas_estimate("atlas-noise"))

ATLAS_SPARSITY = PageParameters("atlas-sparsity", _atlas_knobs(
    _k("p_sparses", "floats", "Pr(sparse) values (the columns)", low=0, low_open=True, high=1),
    _k("widths", "ints", "numbers of neurons m (the rows; d = 10, so m / d = m / 10)", low=10, high=10 ** 4),
    _k("noise", "str", "noise: 'paper' (variance log d / d) or 'code' (std sqrt(ln d) / d)",
       choices=("paper", "code")),
    _k("cl_augmentation", "str", "masks of the contrastive model: 'dependent' (Eq. 2, the public "
       "contrastive script) or 'independent' (Eq. 3, the text)", choices=("dependent", "independent")),
), profile_values={"p_sparses": ([0.1, 0.3], [0.05, 0.1, 0.2, 0.3, 0.5]), "widths": ([10, 50], [10, 20, 50, 100]),
                   **_ATLAS_RUNS}, estimate=_atlas_estimate("atlas-sparsity"))

ATLAS_WARM = PageParameters("atlas-warm", _atlas_knobs(
    _k("warm_cs", "floats", "warm-start exponents c, sigma = p^(-c/2) (the columns)", low=0, high=100),
    _count("d", "p = d = m (Figures 14 and 15: 20)", high=1000, low=2),
    _prob("p_sparse", "Pr(sparse) = Pr(z_i = +-1)"),
    _k("noise", "str", "noise: 'paper' (variance log d / d) or 'code' (std sqrt(ln d) / d)",
       choices=("paper", "code")),
    _k("dictionary", "str", "the dictionary M: 'qr' (the paper's random orthonormal columns) or "
       "'identity' (Theorem 3's M = I)", choices=("qr", "identity")),
    cl=False,
), profile_values={"warm_cs": ([1.0, 4.0], [0.5, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0]),
                   **{k: v for k, v in _ATLAS_RUNS.items() if k != "epochs_cl"},
                   # the warm-started NCL cells still fall at 4x (by a steady amount per doubling)
                   "extend": (1, 8)},
    estimate=_atlas_estimate("atlas-warm"))


#: The parameters a figure or table page declares beside ``profile``, ``device`` and its
#: experiment's knobs (:data:`landscape.experiments.KNOBS`).
EXPERIMENT_PAGE_KNOBS: dict[str, Knob] = {k.name: k for k in [
    _k("reading", "str", getattr(profiles, "READING_HELP", "the settings the page's models train with"),
       choices=tuple(getattr(profiles, "READINGS", ("paper", "code")))),
]}


def knob(notebook: str, key: str) -> Knob | None:
    """The registry's knob for parameter ``key`` of ``notebook`` (a page's own parameter, or one
    every figure and table page declares), or None; an experiment's knobs are
    :attr:`landscape.experiments.Experiment.knobs`."""
    from .experiments import EXPERIMENTS

    if notebook in EXPERIMENTS:
        return EXPERIMENT_PAGE_KNOBS.get(key)
    page = PAGES.get(notebook)
    return None if page is None else page.knobs.get(key)


#: Every page without an experiment definition, by notebook name ("profile" and "device" are
#: checked for every page by the command line itself).
PAGES: dict[str, PageParameters] = {p.name: p for p in [
    THEOREM_1, THEOREM_2, THEOREM_3, PAPER_VS_CODE, ATLAS_NOISE, ATLAS_SPARSITY, ATLAS_WARM,
    PageParameters("cite", {}), PageParameters("gallery", {}), PageParameters("scorecard", {}),
]}


def get(name: str) -> PageParameters:
    """The parameters of page ``name``; a clear ``ValueError`` for an unknown page."""
    if name not in PAGES:
        raise ValueError(f"no parameter registry for {name!r}{closest(name, PAGES)}; pages: {', '.join(PAGES)}")
    return PAGES[name]
