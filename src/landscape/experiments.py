"""One named, frozen configuration per figure and table of the paper.

Every experiment of Sections 5.1-5.2 and Appendices A.2 and B is an :class:`Experiment` in
:data:`EXPERIMENTS`, keyed by the name of the notebook that draws it (``"figure-02"``,
``"table-1"``...).  An experiment is a set of *models* (one :func:`landscape.cache.cached_train`
call each: all runs and all Pr(sparse) values of a model are trained together) and a set of
*knobs*: named, typed, validated parameters with a default per *profile*.

Profiles
--------
``paper``
    Exactly the paper's settings (Sec. 4.2 and the figure's caption): n = 1000 samples, batch
    512, SGD with lr 0.025 for 8000 epochs, p = 50, d = 10, m = 50 unless the caption says
    otherwise, the paper's number of runs, Pr(sparse) in {0.1, 0.2, 0.3}.  Where the paper and its
    public code disagree (see ``shared/paper/experiments.md``), the paper's reading is the default
    and the code's reading is one knob away.
``smoke``
    The same models at toy scale (n = 250 in batches of 100, 50 epochs at lr 0.2, 2 runs): seconds on two
    CPU cores.  It checks the pipeline end to end; it does not reproduce the paper.

Usage::

    exp = get("figure-02")
    params = exp.resolve("smoke", runs=3)          # validated knob values
    configs = exp.configs(params)                  # {model label: [TrainConfig, ...]}
    results = exp.run(params)                      # {model label: TrainResult}

Experiments that coincide in the paper share models *and* knob names, so their runs share cache
entries: Figure 2's NCL and CL are Table 2's NCL-basic and CL-basic; Figures 3 and 10 are Table
2's NCL-basic-2L; Figures 4 and 11 are one run; Figures 5 and 12 are one run; Figures 17 and 18
are Table 1 (= Table 3).

Choices made where the paper is ambiguous (each is documented on its experiment and notebook):

* Figure 1: the caption mentions no BatchNorm (Figure 2's does), so neither model has BN
  (``ncl_batchnorm``/``cl_batchnorm``; the public script gives CL BN and NCL none).
* Figure 2 / Table 2: both models have BN, as the caption and Table 2 say (the public
  non-contrastive model silently ignores its BN flag: ``ncl_batchnorm=False``).
* Figures 8 and 9: both captions say m = 10, but Figure 8's title says "over-parametrised" and
  would otherwise be Figure 9 again; Figure 8 uses m = 50 (``m=10`` gives the caption's
  reading).  Neither caption mentions BN: none (``batchnorm``).
* Figures 7 and 13-16: a warm-started linear encoder with symmetric ReLU, no BatchNorm and no
  predictor ("works even in the absence of a prediction head"), outputs normalised (Eq. 4 form),
  the rows (columns) of W^o and W^t normalised after every step.  The public scripts for these
  runs train a model with a linear predictor without a bias (``simplified-pred``,
  ``--use_pred_bias False``), trained with the encoders, some with M = I; the engine has that
  model (``predictor=True, predictor_bias=False``).  Figure 7's caption gives no sizes: the
  defaults p = 50, d = 10, m = 50 (Sec. 4.2).
* Figures 17/18, Tables 1/3: "Bernoulli(0.1)" masks keep a coordinate with probability 0.1
  (``mask_meaning="keep"``); the public code zeroes it with that probability (``"drop"``).
* Two-layer encoders: the max-cosine of the first layer's rows (``metric_layer="first"``).
* Table 4: sigma is given directly (0.14, 0.02, 0.002); 0.14 is Figure 4's c = 1 rounded.
* Warm starts pick dictionary columns as the public code's ``gen_Winit`` does (``warm_pick="code"``):
  when m = d, row i of every encoder starts at column i, so that neuron i of the online and of the
  target network start at the same column (the non-contrastive loss compares them neuron by
  neuron); m columns drawn with replacement when m > d.
* Figure 7: c = 2 gives sigma = 0.02, so training starts near a minimum max-cosine of 0.99, not
  the 0.62 the text reports; the stated c is kept.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import numbers
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from . import budget
from .config import FIELD_NAMES, TrainConfig, closest
from .profiles import DEVICE_HELP, DEVICES, PROFILE_HELP, PROFILES, READING_HELP


__all__ = ["PROFILES", "Knob", "Model", "Experiment", "EXPERIMENTS", "SECTIONS", "get", "names",
           "notebook_of", "closest"]


# --------------------------------------------------------------------------------------- knobs
#: The kinds of value a knob takes (:class:`Knob`).
KINDS = ("int", "float", "bool", "str", "floats", "ints", "float|str")


@dataclass(frozen=True)
class Knob:
    """A named parameter of an experiment: its type, valid range and help text.

    ``kind`` is one of ``int``, ``float``, ``bool``, ``str``, ``floats`` (a non-empty tuple of
    distinct floats), ``ints`` (a non-empty tuple of integers) or ``float|str`` (a number, or one
    of ``choices``).  Numbers must be finite and inside ``low``/``high``.  ``field`` names the :class:`~landscape.config.TrainConfig` field it sets
    (``None``: used by the experiment itself, e.g. ``runs``); ``only_for`` restricts it to the
    models whose fixed fields match (e.g. the temperature only reaches contrastive models).
    """

    name: str
    kind: str
    help: str
    field: str | None = None
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    only_for: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"knob {self.name!r}: unknown kind {self.kind!r}")
        if self.field is not None and self.field not in FIELD_NAMES:
            raise ValueError(f"knob {self.name!r}: unknown TrainConfig field {self.field!r}")

    @property
    def type_name(self) -> str:
        return {"floats": "list[float]", "ints": "list[int]", "float|str": "float | str"}.get(self.kind, self.kind)

    def _range(self) -> str:
        lo = "" if self.low is None else f"{'>' if self.low_open else '>='} {_number(self.low)}"
        hi = "" if self.high is None else f"<= {_number(self.high)}"
        return " and ".join(s for s in (lo, hi) if s)

    def _check_number(self, v: float, what: str) -> None:
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{what} must be a finite number, got {v!r}")
        bad = ((self.low is not None and (v <= self.low if self.low_open else v < self.low))
               or (self.high is not None and v > self.high))
        if bad:
            raise ValueError(f"{what} must be {self._range()}, got {v!r}")

    def check(self, value: Any) -> Any:
        """The value, normalised (floats as ``float``, lists as tuples), or a clear ``ValueError``."""
        n = self.name
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{n} must be a bool (True or False), got {value!r} ({type(value).__name__})")
            return value
        if self.kind == "float|str":
            if isinstance(value, str):
                if value not in self.choices:
                    raise ValueError(f"unknown {n} {value!r}{closest(value, self.choices)}; valid: "
                                     f"{', '.join(self.choices)} or a number{self._range_text()}")
                return value
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"{n} must be a number or one of {', '.join(self.choices)}, got {value!r} "
                                 f"({type(value).__name__})")
            self._check_number(float(value), n)
            return float(value)
        if self.kind == "str":
            if not isinstance(value, str):
                raise ValueError(f"{n} must be a string, got {value!r} ({type(value).__name__})")
            if self.choices and value not in self.choices:
                raise ValueError(f"unknown {n} {value!r}{closest(value, self.choices)}; "
                                 f"valid choices: {', '.join(self.choices)}")
            return value
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(f"{n} must be an integer, got {value!r} ({type(value).__name__})")
            self._check_number(int(value), n)
            return int(value)
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"{n} must be a number, got {value!r} ({type(value).__name__})")
            self._check_number(float(value), n)
            return float(value)
        return self._check_list(value)

    def _check_list(self, value: Any) -> tuple:
        """``floats`` (distinct numbers) and ``ints`` (integers): a non-empty tuple."""
        n, ints = self.name, self.kind == "ints"
        what = "integers" if ints else "numbers"
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise ValueError(f"{n} must be a list of {what}, got {value!r} ({type(value).__name__})")
        out = []
        for v in value:
            wanted = numbers.Integral if ints else numbers.Real
            if isinstance(v, bool) or not isinstance(v, wanted):
                raise ValueError(f"{n} must be a list of {what}, got the element {v!r} "
                                 f"({type(v).__name__})")
            self._check_number(float(v) if not ints else int(v), f"every value of {n}")
            out.append(int(v) if ints else float(v))
        if not out:
            raise ValueError(f"{n} must not be empty")
        if not ints and len(set(out)) != len(out):
            raise ValueError(f"{n} has repeated values: {out}")
        return tuple(out)

    def _range_text(self) -> str:
        rng = self._range()
        return f" ({rng})" if rng else ""

    def applies_to(self, fixed: Mapping[str, Any]) -> bool:
        return all(fixed.get(k, getattr(_DEFAULT_CONFIG, k)) == v for k, v in self.only_for)

    def describe(self) -> str:
        extra = f"; one of {', '.join(self.choices)}" if self.choices else ""
        rng = self._range()
        extra += f"; {rng}" if rng else ""
        return f"{self.name} ({self.type_name}{extra}): {self.help}"


_DEFAULT_CONFIG = TrainConfig()


def _number(x: float) -> str:
    """A bound as written: ``0``, ``1``, ``0.5``, ``1000000``, ``1e-06``."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


def _knob(name: str, kind: str, help: str, **kw: Any) -> Knob:
    return Knob(name=name, kind=kind, help=help, **kw)


#: Every knob, defined once; an experiment exposes a subset with its own defaults.
KNOBS: dict[str, Knob] = {k.name: k for k in [
    _knob("runs", "int", "independent runs (seeds) per condition", low=1),
    _knob("seed", "int", "seed of the first run; run i uses seed + i (data, dictionary, init)", low=0),
    _knob("p_sparse", "floats", "Pr(sparse) = Pr(z_i = +-1) values, one curve each", low=0, low_open=True, high=1),
    _knob("sigmas", "floats", "warm-start noise standard deviations sigma (Table 4), one row each", low=0),
    _knob("p", "int", "input dimension p", field="p", low=1),
    _knob("d", "int", "latent dimension d (columns of the dictionary M)", field="d", low=1),
    _knob("m", "int", "number of neurons m (rows of the encoder W); must be >= d", field="m", low=1),
    _knob("n", "int", "number of training samples", field="n", low=1),
    _knob("epochs", "int", "training epochs", field="epochs", low=1),
    _knob("batch_size", "int", "minibatch size", field="batch_size", low=1),
    _knob("drop_last", "bool", "drop the last partial batch of an epoch (the public contrastive "
          "script does)", field="drop_last"),
    _knob("lr", "float", "SGD learning rate (paper 0.025; public scripts 0.005)", field="lr", low=0, low_open=True),
    _knob("log_every", "int", "log the metrics every this many epochs", field="log_every", low=1),
    _knob("latents", "str", "latents: 'paper' (each coordinate independently +-1 with prob. "
          "Pr(sparse)) or 'code' (exactly ceil(d Pr(sparse)) non-zeros, as the public code)",
          field="latents", choices=("paper", "code")),
    _knob("noise", "str", "noise: 'paper' (variance log(d)/d), 'code' (std sqrt(ln d)/d) or 'none'",
          field="noise", choices=("paper", "code", "none")),
    _knob("augmentation", "str", "masks: 'independent' (Eq. 3, D1 x and D2 x, the paper) or "
          "'dependent' (Eq. 2, 2Dx and 2(I-D)x, the public contrastive script)",
          field="augmentation", choices=("independent", "dependent")),
    _knob("masking_prob", "float", "the 'masking probability' of a mask entry", field="masking_prob",
          low=0, low_open=True, high=1),
    _knob("mask_meaning", "str", "'keep': a mask entry keeps its coordinate with the masking "
          "probability (D_jj ~ Bernoulli, the paper); 'drop': it zeroes it (the public code)",
          field="mask_meaning", choices=("keep", "drop")),
    _knob("symrelu_form", "str", "symmetric ReLU: 'paper' (Eq. 14, ReLU(u-b)-ReLU(-u-b)) or 'code' "
          "(ReLU(Wx+b)-ReLU(-Wx+b), as the public code)", field="symrelu_form",
          choices=("paper", "code")),
    _knob("temperature", "float", "NT-Xent temperature: similarities are divided by it",
          field="temperature", low=0, low_open=True, only_for=(("method", "cl"),)),
    _knob("warm_c", "float", "warm start: noise sigma = p^(-c/2)", field="warm_c", low=0,
          only_for=(("init", "warm"),)),
    _knob("warm_pick", "str", "warm start: which dictionary columns start the rows of W: 'code' (as "
          "the public code: row i at column i in every network when m = d, m drawn with replacement "
          "when m > d), "
          "'with_replacement' (always) or 'cover' (every column at least once)", field="warm_pick",
          choices=("code", "with_replacement", "cover"), only_for=(("init", "warm"),)),
    _knob("metric_layer", "str", "two-layer encoder: max-cosine of the first layer's rows ('first') "
          "or of W2 W1 ('product')", field="metric_layer", choices=("first", "product"),
          only_for=(("layers", 2),)),
    _knob("activation", "str", "activation after the encoder: 'symrelu' (Eq. 14), 'relu' or 'none'",
          field="activation", choices=("symrelu", "relu", "none")),
    _knob("reading_runs", "int", "runs per condition of the check with the public code's readings: its "
          "noise level, its masks for contrastive models, its meaning of the masking probability "
          "for the others (0: no check)", low=0),
    _knob("batchnorm", "bool", "BatchNorm after the linear layer of every model's encoder", field="batchnorm"),
    # bound knobs: they set a field of the models that name them (Model.bound), no others
    _knob("ncl_batchnorm", "bool", "BatchNorm in the one-layer non-contrastive encoder (NCL, NCL-basic)"),
    _knob("cl_batchnorm", "bool", "BatchNorm in the one-layer contrastive encoder (CL, CL-basic)"),
]}

# Values shared by every experiment's paper profile (Sec. 4.2).
PAPER_COMMON: dict[str, Any] = dict(
    runs=5, seed=0, p_sparse=(0.1, 0.2, 0.3), p=50, d=10, m=50, n=1000, epochs=8000,
    batch_size=512, drop_last=False, lr=0.025, log_every=10, latents="paper", noise="paper",
    augmentation="independent", masking_prob=0.5, mask_meaning="keep", symrelu_form="paper",
    temperature=0.05, warm_c=1.0, warm_pick="code", metric_layer="first",
    activation="symrelu", batchnorm=False, ncl_batchnorm=True, cl_batchnorm=True,
    sigmas=(0.14, 0.02, 0.002), reading_runs=1)

#: The readings of the public code that decide whether contrastive learning recovers the
#: dictionary (measured on the paper-vs-code page): its noise level (standard deviation
#: sqrt(ln d)/d) for every model, and for contrastive models its complementary masks (Eq. 2; its
#: non-contrastive scripts draw independent masks).  :meth:`Experiment.run` with
#: ``reading="code"`` trains an experiment's models with them (every experiment has the check,
#: the non-contrastive ones with the code's noise level alone).  The independent masks of the
#: other models then take the code's meaning of the masking probability
#: (:data:`CODE_READINGS_MASKS`: it zeroes a coordinate) where that changes them, i.e. where the
#: masking probability is not 0.5 (Figures 7 and 16, Table 1).
CODE_READINGS: dict[str, Any] = dict(noise="code")
#: The public contrastive script's masks: 2 D x and 2 (I - D) x with D ~ Bernoulli(0.5) whatever
#: the masking probability (it only names the script's output file).
CODE_READINGS_CL: dict[str, Any] = dict(augmentation="dependent", masking_prob=0.5)
CODE_READINGS_MASKS: dict[str, Any] = dict(mask_meaning="drop")
READINGS = ("text", "code")
#: The authors' script for each model with every one of its settings (:func:`landscape.config.code_reading`:
#: latents, noise, masks and their meaning, SymReLU form, biases, lr 0.005, n = 3000, BatchNorm
#: as their model applies it, kept or dropped last batch), at the paper's run counts.  Not yet part
#: of :attr:`Experiment.readings` (the shipped results and the pages): trained experiment by
#: experiment (``scripts/paper_run.py --train-only --reading authors``), shown where shipped.
AUTHORS = "authors"

#: What the smoke profile changes (sizes of the data model stay the paper's): 50 epochs of
#: 3 steps (n = 250 = 2 x 100 + a partial batch of 50) at lr 0.2, seconds on a CPU and enough
#: that every model visibly trains (the goldens record what training did, not the initial weights).
SMOKE_CHANGES: dict[str, Any] = dict(runs=2, n=250, batch_size=100, epochs=50, lr=0.2, log_every=5)

# Knobs every training experiment exposes.
BASE_KNOBS = ("runs", "seed", "p_sparse", "p", "d", "m", "n", "epochs", "batch_size", "drop_last",
              "lr", "log_every", "latents", "noise", "augmentation", "masking_prob", "mask_meaning",
              "symrelu_form", "reading_runs")


# --------------------------------------------------------------------------------------- models
@dataclass(frozen=True)
class Model:
    """One curve family / one batched training call: the TrainConfig fields that define it."""

    label: str
    fixed: tuple[tuple[str, Any], ...]
    bound: tuple[tuple[str, str], ...] = ()   # (TrainConfig field, knob) set by that knob if exposed
    reference: bool = False   # trained for a comparison, not drawn in the paper's figure
    note: str = ""
    #: Fields the authors' script for this model sets beyond :meth:`TrainConfig.code_reading`.
    authors: tuple[tuple[str, Any], ...] = ()

    @property
    def fields(self) -> dict[str, Any]:
        return dict(self.fixed)


def _model(label: str, reference: bool = False, note: str = "", bound: Mapping[str, str] | None = None,
           authors: Mapping[str, Any] | None = None, **fixed: Any) -> Model:
    bad = [k for k in list(fixed) + list(bound or {}) + list(authors or {}) if k not in FIELD_NAMES]
    if bad:
        raise ValueError(f"model {label!r}: unknown TrainConfig fields {bad}")
    return Model(label=label, fixed=tuple(sorted(fixed.items())), bound=tuple(sorted((bound or {}).items())),
                 reference=reference, note=note, authors=tuple(sorted((authors or {}).items())))


# The paper's named architectures (Table 2, Table 1, Sec. 5.2.2).
NCL_BASIC = dict(method="ncl", activation="symrelu", batchnorm=True, bound={"batchnorm": "ncl_batchnorm"})
CL_BASIC = dict(method="cl", activation="symrelu", batchnorm=True, bound={"batchnorm": "cl_batchnorm"})
NCL_BASIC_2L = dict(method="ncl", activation="symrelu", batchnorm=True, layers=2)
NCL_LINEAR = dict(method="ncl", activation="none", batchnorm=False)
CL_LINEAR = dict(method="cl", activation="none", batchnorm=False)
NCL_WARM = dict(method="ncl", activation="symrelu", batchnorm=True, init="warm")
NCL_PRED_WARM = dict(method="ncl", activation="symrelu", batchnorm=True, predictor=True, init="warm")
NCL_PRED_COLD = dict(method="ncl", activation="symrelu", batchnorm=True, predictor=True, init="random")
SIMCLR = dict(method="cl", projector=True, activation="relu", batchnorm=True)
SIMSIAM = dict(method="simsiam", predictor=True, activation="relu", batchnorm=True)


def _normed(norm: str) -> dict[str, Any]:
    """Figures 7, 13-16: warm-started linear encoder (activation via the ``activation`` knob),
    no BN, no predictor, normalised outputs, weights normalised after every step."""
    return dict(method="ncl", batchnorm=False, init="warm", weight_norm=norm)


# --------------------------------------------------------------------------------------- experiments
@dataclass(frozen=True)
class Experiment:
    """The models, knobs and profiles of one notebook (a figure or a table of the paper)."""

    name: str
    title: str
    sections: tuple[str, ...]
    models: tuple[Model, ...]
    knob_names: tuple[str, ...]
    paper: tuple[tuple[str, Any], ...]
    smoke: tuple[tuple[str, Any], ...]
    sweep: tuple[tuple[str, str], ...] = (("p_sparse", "p_sparse"),)
    panels: int = 2
    #: Named variants beyond the two readings, ``(name, ((knob, value), ...))``: the same models
    #: with those knobs changed (e.g. Figure 7 with the warm start its text's numbers imply);
    #: ``configs(params, reading=name)`` gives them and ``paper_runs`` ships them.
    variants: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()

    @property
    def readings(self) -> tuple[str, ...]:
        """``"text"``, ``"code"`` and the names of the experiment's variants."""
        return READINGS + tuple(name for name, _ in self.variants)

    # ---------------------------------------------------------------- parameters
    @property
    def knobs(self) -> dict[str, Knob]:
        return {k: KNOBS[k] for k in self.knob_names}

    def defaults(self, profile: str = "smoke") -> dict[str, Any]:
        """The knob values of a profile."""
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}{closest(profile, PROFILES)}; "
                             f"valid profiles: {', '.join(PROFILES)}")
        vals = dict(self.paper)
        if profile == "smoke":
            vals.update(self.smoke)
        return {k: vals[k] for k in self.knob_names}

    def resolve(self, profile: str = "smoke", **overrides: Any) -> dict[str, Any]:
        """Validated knob values: the profile's defaults, with ``overrides`` that are not None.

        Unknown names raise ``ValueError`` naming them, the closest valid name and every valid
        name; bad types and out-of-range values raise ``ValueError`` naming the knob.  The
        result is also checked by building every configuration (so e.g. m < d fails here).
        """
        unknown = [k for k in overrides if k not in self.knob_names]
        if unknown:
            k = unknown[0]
            raise ValueError(f"unknown parameter {k!r} for {self.name}{closest(k, self.knob_names)}; "
                             f"valid names: profile, device, {', '.join(self.knob_names)}")
        params = self.defaults(profile)
        for k, v in overrides.items():
            if v is not None:
                params[k] = self.knobs[k].check(v)
        budget.check(self.estimate(params), f"{self.name} ({profile} profile)")  # before any allocation
        self.configs(params)  # TrainConfig validation: impossible combinations fail now
        return params

    def estimate(self, params: Mapping[str, Any],
                 readings: Sequence[str] | None = None) -> budget.Estimate:
        """Memory and time of training every model under ``readings`` (default: all of
        :attr:`readings`), one batched call after another (:func:`landscape.budget.estimate`),
        from the sizes alone: one configuration per condition is built, never one per run."""
        out = budget.NOTHING
        for reading in (self.readings if readings is None else readings):
            runs = params["reading_runs"] if reading == "code" else params["runs"]
            if not runs:
                continue
            for mdl in self.models:
                conditions = self.model_configs(mdl, {**params, "runs": 1})
                out = out.then(budget.estimate(conditions[0], len(conditions) * runs))
        return out

    def setup(self, profile: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
        """A notebook's first step: validate the knobs set in ``namespace`` (the notebook's
        ``globals()``, where papermill injects them; a knob not set takes the profile's value).
        Returns the resolved knob values; :meth:`describe` shows them."""
        return self.resolve(profile, **{name: namespace.get(name) for name in self.knob_names})

    def describe(self, params: Mapping[str, Any] | None = None) -> str:
        """The knobs with their values (or, without ``params``, their help), and each model's
        fixed fields."""
        lines = [f"{self.name}: {self.title}"]
        for k, knob in self.knobs.items():
            lines.append(f"  {k} = {params[k]!r}" if params is not None
                         else f"  {k}  # {knob.type_name}: {knob.help}")
        for mdl in self.models:
            fixed = ", ".join(f"{k}={v!r}" for k, v in mdl.fixed)
            ref = " (reference, not drawn)" if mdl.reference else ""
            bound = "".join(f", {f} from knob {k}" for f, k in mdl.bound if k in self.knob_names)
            lines.append(f"  model {mdl.label}{ref}: {fixed}{bound}")
        return "\n".join(lines)

    def parameters_cell(self) -> str:
        """The source of the notebook's ``parameters`` cell: ``profile``, ``reading`` and
        ``device``. Every
        knob can be injected beside them (``landscape run NAME -p KNOB VALUE``); their types,
        ranges and help live once, in :data:`KNOBS` (``landscape list NAME`` shows them)."""
        return "\n".join([f'profile = "smoke"  # str: {PROFILE_HELP}',
                          f'reading = "paper"  # str: {READING_HELP}',
                          f'device = "auto"  # str: {DEVICE_HELP}',
                          f"# other parameters: `landscape list {self.name}` (each defaults to the profile's value)"])

    # ---------------------------------------------------------------- configurations
    def conditions(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The swept TrainConfig values (e.g. ``[{"p_sparse": 0.1}, ...]``), in order."""
        if not self.sweep:
            return [{}]
        axes = [[(field, v) for v in params[knob]] for knob, field in self.sweep]
        return [dict(combo) for combo in itertools.product(*axes)]

    def model_configs(self, model: Model | str, params: Mapping[str, Any]) -> list[TrainConfig]:
        """The replicas of one model: conditions outer, runs (seeds) inner."""
        mdl = model if isinstance(model, Model) else self.model(model)
        fixed = mdl.fields
        base: dict[str, Any] = {}
        # a knob sets its field unless the model fixes it or it is for other models only
        for k, knob in self.knobs.items():
            if knob.field is not None and knob.field not in fixed and knob.applies_to(fixed):
                base[knob.field] = params[k]
        base.update(fixed)
        # bound knobs (e.g. ncl_batchnorm) set the fields of the models that name them
        for field, k in mdl.bound:
            if k in self.knob_names:
                base[field] = params[k]
        if base.get("warm_pick") == "code" and base.get("m", _DEFAULT_CONFIG.m) > base.get("d", _DEFAULT_CONFIG.d):
            base["warm_pick"] = "with_replacement"  # the public code's gen_Winit for m > d (same draws)
        out = []
        for cond in self.conditions(params):
            for i in range(params["runs"]):
                try:
                    out.append(TrainConfig(**base, **cond, seed=params["seed"] + i))
                except ValueError as exc:
                    raise ValueError(f"{self.name}, model {mdl.label}: {exc}") from None
        return out

    def configs(self, params: Mapping[str, Any], reading: str = "text") -> dict[str, list[TrainConfig]]:
        """``{model label: [TrainConfig, ...]}``, one batched training call per model.

        ``reading="code"``: the same models with the public code's decisive readings
        (:data:`CODE_READINGS`; :data:`CODE_READINGS_CL` for contrastive models, else
        :data:`CODE_READINGS_MASKS` where it changes the masks) and
        ``reading_runs`` runs per condition; empty when the experiment has no such check or
        ``reading_runs`` is 0."""
        if reading not in (*self.readings, AUTHORS):
            raise ValueError(f"unknown reading {reading!r}{closest(reading, (*self.readings, AUTHORS))}; "
                             f"valid choices: {', '.join((*self.readings, AUTHORS))}")
        if reading == AUTHORS:
            return {label: [self._authors(c, params, self.model(label)) for c in cfgs]
                    for label, cfgs in self.configs(params).items()}
        if reading == "text":
            return {mdl.label: self.model_configs(mdl, params) for mdl in self.models}
        variants = dict(self.variants)
        if reading in variants:
            changed = {**params, **dict(variants[reading])}
            return {mdl.label: self.model_configs(mdl, changed) for mdl in self.models}
        if not params.get("reading_runs"):
            return {}
        code = {**params, **CODE_READINGS, "runs": params["reading_runs"]}
        out = {}
        for mdl in self.models:
            cfgs = self.model_configs(mdl, code)
            if cfgs[0].method == "cl":
                cfgs = [dataclasses.replace(c, **CODE_READINGS_CL) for c in cfgs]
            elif any(dataclasses.replace(c, **CODE_READINGS_MASKS).alpha != c.alpha for c in cfgs):
                cfgs = [dataclasses.replace(c, **CODE_READINGS_MASKS) for c in cfgs]
            out[mdl.label] = cfgs
        return out

    def _authors(self, c: TrainConfig, params: Mapping[str, Any], mdl: Model) -> TrainConfig:
        """``c`` under the authors' script (:meth:`TrainConfig.code_reading` and the model's own
        :attr:`Model.authors`); a size or learning rate that differs from the paper's (a smoke
        profile, an override) is kept."""
        paper = dict(self.paper)
        keep = {k: params[k] for k in ("n", "lr") if params[k] != paper[k]}
        return c.code_reading().replace(**dict(mdl.authors), **keep)

    def model(self, label: str) -> Model:
        for mdl in self.models:
            if mdl.label == label:
                return mdl
        labels = [m.label for m in self.models]
        raise ValueError(f"unknown model {label!r}{closest(label, labels)}; models of {self.name}: "
                         f"{', '.join(labels)}")

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(m.label for m in self.models)

    @property
    def drawn(self) -> tuple[str, ...]:
        """Labels of the models the paper's figure shows (not the reference ones)."""
        return tuple(m.label for m in self.models if not m.reference)

    @property
    def sweep_fields(self) -> tuple[str, ...]:
        return tuple(field for _, field in self.sweep)

    def run(self, params: Mapping[str, Any], *, device: str = "auto", progress: bool = True,
            use_cache: bool = True, models: Sequence[str] | None = None,
            reading: str = "text") -> dict[str, Any]:
        """Train (or load from the cache) every model: ``{label: TrainResult}``
        (``reading="code"``: the check with the public code's readings, see :meth:`configs`)."""
        from .cache import cached_train  # imported here: torch is only needed to train

        if device not in DEVICES:
            raise ValueError(f"unknown device {device!r}{closest(device, DEVICES)}; "
                             f"valid choices: {', '.join(DEVICES)}")
        configs = self.configs(params, reading)
        tag = "" if reading == "text" else f" ({reading} readings)"
        out = {}
        for label in (models or configs):
            if label not in configs:
                self.model(label)  # a clear error for an unknown label
                continue
            out[label] = cached_train(configs[label], device=device, use_cache=use_cache,
                                      progress=f"{self.name} {label}{tag}" if progress else False)
        return out

    def replicas(self, params: Mapping[str, Any]) -> int:
        return sum(len(c) for c in self.configs(params).values())

    def cost(self, params: Mapping[str, Any]) -> int:
        """Replica-epochs (a rough measure of training cost), with the check of the code's readings."""
        return sum(len(c) * c[0].epochs for reading in self.readings
                   for c in self.configs(params, reading).values())


def _experiment(name: str, title: str, sections: Sequence[str], models: Sequence[Model],
                extra_knobs: Sequence[str] = (), paper: Mapping[str, Any] | None = None,
                smoke: Mapping[str, Any] | None = None,
                sweep: Sequence[tuple[str, str]] = (("p_sparse", "p_sparse"),), panels: int = 2,
                drop_knobs: Sequence[str] = (), variants: Mapping[str, Mapping[str, Any]] | None = None) -> Experiment:
    knob_names = tuple(k for k in BASE_KNOBS if k not in drop_knobs) + tuple(extra_knobs)
    vals = dict(PAPER_COMMON)
    vals.update(paper or {})
    smoke_vals = dict(SMOKE_CHANGES)
    smoke_vals.update(smoke or {})
    exp = Experiment(
        name=name, title=title, sections=tuple(sections), models=tuple(models),
        knob_names=knob_names, paper=tuple((k, KNOBS[k].check(vals[k])) for k in knob_names),
        smoke=tuple((k, KNOBS[k].check(v)) for k, v in smoke_vals.items() if k in knob_names),
        sweep=tuple(sweep), panels=panels,
        variants=tuple((v, tuple((k, KNOBS[k].check(x)) for k, x in changes.items()))
                       for v, changes in (variants or {}).items()))
    for profile in PROFILES:
        for reading in exp.readings:
            exp.configs(exp.defaults(profile), reading)
    return exp


#: Figure 7's variant whose warm start begins at the minimum max-cosine its text quotes.
FIG7_START_VARIANT = "paper-start"
#: That quoted start, "increases on average from around 0.62" (Sec. 5.2.2; ``fig7``
#: ``min_maxcos_start`` in ``reported_numbers.csv``, which a test checks it against).
FIG7_QUOTED_START = 0.62


def _fig7_start_c() -> float:
    """The c at which a warm row starts at Figure 7's quoted initial minimum max-cosine, for
    p = 50; rounded to two decimals."""
    return round(TrainConfig.warm_c_for_cosine(FIG7_QUOTED_START, PAPER_COMMON["p"]), 2)


EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in [
    _experiment(
        "figure-01", "NCL vs CL with one-hot latents", ["Figure 1"],
        [_model("NCL", method="ncl", activation="symrelu", batchnorm=False, latents="one_hot",
                bound={"batchnorm": "ncl_batchnorm"}),
         _model("CL", method="cl", activation="symrelu", batchnorm=False, latents="one_hot",
                bound={"batchnorm": "cl_batchnorm"},
                authors={"batchnorm": True})],  # its Figure 1 script passes --use_bn True to SimCLR
        extra_knobs=("ncl_batchnorm", "cl_batchnorm", "temperature"), drop_knobs=("p_sparse", "latents"),
        paper=dict(ncl_batchnorm=False, cl_batchnorm=False), sweep=()),
    _experiment(
        "figure-02", "NCL vs CL with k-sparse latents", ["Figure 2"],
        [_model("NCL", **NCL_BASIC), _model("CL", **CL_BASIC)],
        extra_knobs=("ncl_batchnorm", "cl_batchnorm", "temperature")),
    _experiment(
        "figure-03", "NCL with a two-layer encoder", ["Figure 3", "Figure 10"],
        [_model("NCL-basic-2L", **NCL_BASIC_2L),
         _model("CL-basic", reference=True, note="Figure 2's CL runs", **CL_BASIC)],
        extra_knobs=("metric_layer", "cl_batchnorm", "temperature")),
    _experiment(
        "figure-04", "NCL with a warm-started encoder and no predictor", ["Figure 4", "Figure 11"],
        [_model("NCL", **NCL_WARM)], extra_knobs=("warm_c", "warm_pick")),
    _experiment(
        "figure-05", "NCL with a linear predictor and warm start", ["Figure 5", "Figure 12"],
        [_model("NCL", **NCL_PRED_WARM)], extra_knobs=("warm_c", "warm_pick"), paper=dict(runs=3)),
    _experiment(
        "figure-06", "NCL with a linear predictor, no warm start", ["Figure 6"],
        [_model("NCL", **NCL_PRED_COLD),
         _model("NCL-warm", reference=True, note="Figure 5's runs", **NCL_PRED_WARM)],
        extra_knobs=("warm_c", "warm_pick"), paper=dict(runs=3)),
    _experiment(
        "figure-07", "NCL with warm start and row-normalised encoders", ["Figure 7"],
        [_model("NCL", **_normed("row"))], extra_knobs=("activation", "warm_c", "warm_pick"),
        paper=dict(runs=3, warm_c=2.0, masking_prob=0.9),
        variants={FIG7_START_VARIANT: dict(warm_c=_fig7_start_c())}),
    _experiment(
        "figure-08", "NCL vs CL with k-sparse latents, over-parametrised", ["Figure 8"],
        [_model("NCL", method="ncl", activation="symrelu"), _model("CL", method="cl", activation="symrelu")],
        extra_knobs=("batchnorm", "temperature"), panels=4),
    _experiment(
        "figure-09", "NCL vs CL with k-sparse latents, m = d", ["Figure 9"],
        [_model("NCL", method="ncl", activation="symrelu"), _model("CL", method="cl", activation="symrelu")],
        extra_knobs=("batchnorm", "temperature"), paper=dict(m=10), panels=4),
    _experiment(
        "figure-13", "NCL with warm start and row-normalised encoders, m = d", ["Figure 13"],
        [_model("NCL", **_normed("row"))], extra_knobs=("activation", "warm_c", "warm_pick"),
        paper=dict(runs=3, m=10, warm_c=1.0), panels=4),
    _experiment(
        "figure-14", "NCL with warm start and row-normalised encoders, p = d = m = 20", ["Figure 14"],
        [_model("NCL", **_normed("row"))], extra_knobs=("activation", "warm_c", "warm_pick"),
        paper=dict(runs=3, p=20, d=20, m=20, warm_c=1.25), panels=4),
    _experiment(
        "figure-15", "NCL with warm start and column-normalised encoders, p = d = m = 20", ["Figure 15"],
        [_model("NCL", **_normed("column"))], extra_knobs=("activation", "warm_c", "warm_pick"),
        paper=dict(runs=3, p=20, d=20, m=20, warm_c=1.25, masking_prob=0.5), panels=4),
    _experiment(
        "figure-16", "NCL with warm start and column-normalised encoders, m = 50", ["Figure 16"],
        [_model("NCL", **_normed("column"))], extra_knobs=("activation", "warm_c", "warm_pick"),
        paper=dict(runs=3, warm_c=2.0, masking_prob=0.75), panels=4),
    _experiment(
        "table-1", "Simplified-SimCLR vs Simplified-SimSiam",
        ["Table 1", "Table 3", "Figure 17", "Figure 18"],
        [_model("Simplified-SimCLR", **SIMCLR), _model("Simplified-SimSiam", **SIMSIAM)],
        extra_knobs=("temperature",), paper=dict(masking_prob=0.1), panels=4),
    _experiment(
        "table-2", "Contrastive vs non-contrastive losses", ["Table 2"],
        [_model("NCL-linear", **NCL_LINEAR), _model("CL-linear", **CL_LINEAR),
         _model("NCL-basic", **NCL_BASIC), _model("NCL-basic-2L", **NCL_BASIC_2L),
         _model("CL-basic", **CL_BASIC)],
        extra_knobs=("ncl_batchnorm", "cl_batchnorm", "metric_layer", "temperature")),
    _experiment(
        "table-4", "NCL-basic with warm starts of different closeness", ["Table 4"],
        [_model("NCL-basic", **NCL_WARM)], extra_knobs=("sigmas", "warm_pick"),
        sweep=(("sigmas", "warm_sigma"), ("p_sparse", "p_sparse"))),
]}

#: Which notebook draws each figure / table of the paper.
SECTIONS: dict[str, str] = {s: e.name for e in EXPERIMENTS.values() for s in e.sections}


def names() -> tuple[str, ...]:
    return tuple(EXPERIMENTS)


def get(name: str) -> Experiment:
    """The experiment of a notebook (``"figure-02"``) or of a paper section (``"Figure 10"``)."""
    if name in EXPERIMENTS:
        return EXPERIMENTS[name]
    if name in SECTIONS:
        return EXPERIMENTS[SECTIONS[name]]
    valid = list(EXPERIMENTS) + list(SECTIONS)
    raise ValueError(f"unknown experiment {name!r}{closest(name, valid)}; valid names: "
                     f"{', '.join(EXPERIMENTS)} (or a paper section such as 'Figure 10')")


def notebook_of(section: str) -> str:
    """The notebook that holds a paper section: ``notebook_of("Figure 10") == "figure-03"``."""
    return get(section).name


def authors_runs(name: str) -> list[list[TrainConfig]]:
    """Every batched training call of a notebook's models under the authors' scripts
    (:data:`AUTHORS`) at paper scale."""
    exp = get(name)
    return list(exp.configs(exp.defaults("paper"), AUTHORS).values())


def paper_runs(name: str) -> list[list[TrainConfig]]:
    """Every batched training call a notebook makes at paper scale (its models under both
    readings, or the paper-vs-code page's comparisons): what ``results/runs/`` ships."""
    if name == "paper-vs-code":
        from . import paper_vs_code
        return paper_vs_code.all_configs("paper")
    exp = get(name)
    params = exp.defaults("paper")
    return [cfgs for reading in exp.readings for cfgs in exp.configs(params, reading).values()]
