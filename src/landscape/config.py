"""One training run's configuration, validated up front.

Defaults are the paper's reading (Sec. 4.2); the public code's reading of each ambiguity
(see the book's "Paper vs code" page) is one field away.
"""
from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import math
import numbers
from dataclasses import dataclass
from typing import Any, Iterable

from .data import AUGMENTATIONS, DICTIONARY_KINDS, LATENT_SCHEMES, MASK_MEANINGS, NOISE_SCHEMES, keep_probability

METHODS = ("ncl", "cl", "simsiam")
FLOAT32_MAX = 3.4028234663852886e38
ACTIVATIONS = ("symrelu", "relu", "none")
SYMRELU_FORMS = ("paper", "code")
LOSS_FORMS = ("normalized", "inner")
INITS = ("random", "warm")
WARM_PICKS = ("with_replacement", "cover", "code")
WEIGHT_NORMS = ("none", "row", "column")
METRIC_LAYERS = ("first", "product")
BIAS_INITS = ("zero", "torch")
HEAD_INITS = ("paper", "torch")
WEIGHT_NORM_SCOPES = ("updated", "all")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines one training run (one replica)."""

    # data, Eq. (1)
    p: int = 50
    d: int = 10
    m: int = 50
    n: int = 1000
    p_sparse: float = 0.1
    latents: str = "paper"          # paper | code | one_hot
    noise: str = "paper"            # paper: var log(d)/d | code: std sqrt(ln d)/d | none
    noise_std: float | None = None  # a noise standard deviation given directly (the atlas), overriding ``noise``
    dictionary: str = "qr"          # qr | identity
    # augmentation, Eq. (2) / Eq. (3)
    augmentation: str = "independent"
    masking_prob: float = 0.5
    mask_meaning: str = "keep"      # keep: Bernoulli(masking_prob) keeps; drop: it zeroes
    # model
    method: str = "ncl"             # ncl (online/target, Eq. 4-7) | cl (NT-Xent, Eq. 8) | simsiam
    activation: str = "symrelu"     # symrelu (Eq. 14) | relu | none
    symrelu_form: str = "paper"     # paper: ReLU(y-b)-ReLU(-y-b) | code: ReLU(u)-ReLU(-u+2b)
    batchnorm: bool = False
    layers: int = 1
    predictor: bool = False         # linear predictor (Eq. 5 / 7), no BN or activation after it
    freeze_predictor: bool = False  # keep the predictor at its initial weights (the public code trains it)
    predictor_bias: bool = True     # the predictor's bias (public scripts for Figs. 7, 13-16: --use_pred_bias False)
    projector: bool = False         # linear projector (Simplified-SimCLR)
    loss_form: str = "normalized"   # normalized: Eq. 4/5, cosine NT-Xent | inner: Eq. 6/7/8
    temperature: float = 0.05       # NT-Xent: similarities divided by it
    metric_layer: str = "first"     # two-layer encoder: max-cosine of W1 or of W2 @ W1
    # initialisation
    init: str = "random"            # random: N(0, 1/(p d)) | warm: columns of M plus noise
    warm_c: float = 1.0             # warm start sigma = p^(-c/2) ...
    warm_sigma: float | None = None  # ... unless sigma is given directly
    warm_pick: str = "with_replacement"  # | cover | code (gen_Winit: M's columns in order when m = d)
    bias_init: str = "zero"         # zero (the text) | torch: U(+-1/sqrt(fan_in)), nn.Linear's default (public code)
    head_init: str = "paper"        # paper: N(0, 1/(p d)) | torch: nn.Linear's U(+-1/sqrt(fan_in)) for the layers
                                    # the public code never overwrites (predictor, projector, SimSiam's projection)
    # training
    lr: float = 0.025
    epochs: int = 8000
    batch_size: int = 512
    drop_last: bool = False
    weight_decay: float = 0.0
    weight_norm: str = "none"       # none | row | column, after every step
    weight_norm_scope: str = "updated"  # updated: the network just stepped | all: W^o and W^t (public code)
    log_every: int = 10
    seed: int = 0

    def __new__(cls, *args: Any, **kwargs: Any) -> "TrainConfig":
        check_names(kwargs)          # an unknown field: a ValueError with the closest name
        return super().__new__(cls)

    def __post_init__(self) -> None:
        for name in INT_FIELDS:      # numpy integers are integers
            v = getattr(self, name)
            if isinstance(v, numbers.Integral) and not isinstance(v, (bool, int)):
                object.__setattr__(self, name, int(v))
        for name in FLOAT_FIELDS:    # numpy floats are floats
            v = getattr(self, name)
            if isinstance(v, numbers.Real) and not isinstance(v, (bool, int, float)):
                object.__setattr__(self, name, float(v))
        validate(self)

    # ------------------------------------------------------------------
    @property
    def alpha(self) -> float:
        """Keep probability of a mask entry."""
        return keep_probability(self.masking_prob, self.mask_meaning)

    @property
    def sigma(self) -> float:
        """Warm-start noise standard deviation, sigma = p^(-c/2) unless given."""
        return self.warm_sigma if self.warm_sigma is not None else self.p ** (-self.warm_c / 2)

    @staticmethod
    def warm_c_for_cosine(cosine: float, p: int) -> float:
        """The warm-start exponent c (sigma = p^(-c/2), Sec. 5.2.2) at which a warm row starts at
        cosine ``cosine`` with its dictionary column: 1 / sqrt(1 + p sigma^2) = cosine."""
        if not 0.0 < cosine < 1.0:
            raise ValueError(f"a warm row's cosine must lie in (0, 1), got {cosine!r}")
        sigma = ((1.0 / cosine ** 2 - 1.0) / p) ** 0.5
        return -2.0 * math.log(sigma) / math.log(p)

    def code_reading(self) -> "TrainConfig":
        """This model as the authors' script for it runs it (:func:`code_reading`)."""
        return code_reading(self)

    def replace(self, **changes: Any) -> "TrainConfig":
        return dataclasses.replace(self, **check_names(changes))

    def to_dict(self) -> dict[str, Any]:
        """All fields, except those of :data:`LATER_FIELDS` that are at their default.

        Cache keys (:meth:`key`, ``landscape.cache.run_key``) hash this dictionary, and shipped
        results store it: a field added later must leave the key of every configuration that
        existed before unchanged, so it appears only when it is set to something else."""
        out = dataclasses.asdict(self)
        for name, default in LATER_FIELDS.items():
            if out[name] == default:
                del out[name]
        return out

    def key(self) -> str:
        """Stable content hash of the configuration."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


FIELD_NAMES = tuple(f.name for f in dataclasses.fields(TrainConfig))
#: Fields by type, checked before anything else (a string "False" is not a boolean).
BOOL_FIELDS = ("batchnorm", "predictor", "freeze_predictor", "predictor_bias", "projector", "drop_last")
INT_FIELDS = ("p", "d", "m", "n", "epochs", "batch_size", "log_every", "layers", "seed")
FLOAT_FIELDS = ("p_sparse", "noise_std", "masking_prob", "temperature", "warm_c", "warm_sigma", "lr", "weight_decay")
#: Float fields for which None means "derived from another field".
OPTIONAL_FLOATS = ("noise_std", "warm_sigma")
#: Seeds are integers in [0, SEED_LIMIT).
SEED_LIMIT = 2 ** 32

#: Fields added after results were first cached and shipped, with their defaults: omitted from
#: :meth:`TrainConfig.to_dict` at those defaults so that existing cache keys do not change.
LATER_FIELDS: dict[str, Any] = {"bias_init": "zero", "predictor_bias": True, "weight_norm_scope": "updated",
                                "noise_std": None, "head_init": "paper"}

# Fields that may differ between replicas trained together in one batch: they change data,
# initial values or scalars, never tensor shapes or the computation graph.
REPLICA_FIELDS = ("p_sparse", "latents", "noise", "noise_std", "dictionary", "masking_prob", "mask_meaning",
                  "init", "warm_c", "warm_sigma", "warm_pick", "bias_init", "head_init", "lr", "weight_decay",
                  "temperature", "seed")


#: The settings every script of the public code shares (its configs and the flags of its
#: ``scripts/*.sh``): fixed-count latents, noise std sqrt(ln d)/d, its SymReLU form, nn.Linear's
#: default biases, lr 0.005 and n = 3000 samples.
CODE_COMMON: dict[str, Any] = dict(latents="code", noise="code", symrelu_form="code", bias_init="torch",
                                   lr=0.005, n=3000)


def code_reading(c: TrainConfig) -> TrainConfig:
    """``c``'s model as the authors' script for it runs it (the reading "code"; checked step by
    step against their code in ``tests/test_authors_code.py``).

    :data:`CODE_COMMON`, then per script: the contrastive one (``main_simclr.py``) draws
    complementary masks (Eq. 2) with D ~ Bernoulli(0.5) whatever its masking probability (which
    only names its output file) and drops the last partial batch; the non-contrastive ones
    (``main.py``, ``main_simsiam.py``) draw independent masks whose probability zeroes a
    coordinate and keep the last batch.  ``main.py``'s one-layer model without a predictor
    ignores its BatchNorm flag; its warm start is ``gen_Winit`` and it normalises W^o and W^t
    after every step; the Simplified-SimCLR and -SimSiam models use SymReLU, and SimSiam has a
    projection layer (linear, BN, SymReLU) before its predictor.  Every script overwrites only
    the encoders' weights, so a predictor, a projector and SimSiam's projection layer keep
    ``nn.Linear``'s default weights (``head_init="torch"``).  Sizes, masking probability,
    warm-start noise, epochs and seeds are left as they are."""
    ch: dict[str, Any] = dict(CODE_COMMON)
    if c.latents == "one_hot":      # its one-hot configs (Figure 1) keep one-hot latents
        del ch["latents"]
    if c.activation == "relu":
        ch["activation"] = "symrelu"
    if c.method == "cl":   # its DependentMaskContrastiveDataset: D ~ Bernoulli(0.5), whatever the masking probability
        ch.update(augmentation="dependent", drop_last=True, masking_prob=0.5)
    else:
        ch.update(augmentation="independent", mask_meaning="drop", drop_last=False)
    if c.method == "ncl" and not c.predictor and c.layers == 1:
        ch["batchnorm"] = False
    if c.method == "simsiam":
        ch["layers"] = 2
    if c.predictor or c.projector or c.method == "simsiam":
        ch["head_init"] = "torch"
    if c.init == "warm":
        ch["warm_pick"] = "code"
    if c.weight_norm != "none":
        ch["weight_norm_scope"] = "all"
    return c.replace(**ch)


def closest(name: Any, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string: the one hint
    of every "unknown name" error."""
    match = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.5)
    return f" (did you mean {match[0]!r}?)" if match else ""


def check_names(changes: dict[str, Any]) -> dict[str, Any]:
    """Raise a clear error for unknown configuration names (with a closest match)."""
    for name in changes:
        if name not in FIELD_NAMES:
            hint = closest(name, FIELD_NAMES)
            raise ValueError(f"unknown configuration parameter {name!r}{hint}; "
                             f"valid names: {', '.join(FIELD_NAMES)}")
    return changes


def _choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        hint = closest(str(value), choices)
        raise ValueError(f"unknown {name} {value!r}{hint}; valid choices: {', '.join(choices)}")


def _types(c: TrainConfig) -> None:
    """Booleans are booleans, integers integers, floats finite real numbers: a ``ValueError``
    naming the field, the value and what it must be."""
    for name in BOOL_FIELDS:
        v = getattr(c, name)
        if not isinstance(v, bool):
            raise ValueError(f"{name} must be True or False, got {v!r} ({type(v).__name__})")
    for name in INT_FIELDS:
        v = getattr(c, name)
        if not isinstance(v, int) or isinstance(v, bool):
            raise ValueError(f"{name} must be an integer, got {v!r} ({type(v).__name__})")
    for name in FLOAT_FIELDS:
        v = getattr(c, name)
        if v is None and name in OPTIONAL_FLOATS:
            continue
        if not isinstance(v, numbers.Real) or isinstance(v, bool):
            raise ValueError(f"{name} must be a number, got {v!r} ({type(v).__name__})")
        if not math.isfinite(v):
            raise ValueError(f"{name} must be finite, got {v!r}")
    if not 0 <= c.seed < SEED_LIMIT:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {c.seed!r}")


def validate(c: TrainConfig) -> None:
    """Fail fast, naming the problem and the valid choices."""
    _types(c)
    _choice("latents", c.latents, LATENT_SCHEMES)
    _choice("noise", c.noise, NOISE_SCHEMES)
    _choice("dictionary", c.dictionary, DICTIONARY_KINDS)
    _choice("augmentation", c.augmentation, AUGMENTATIONS)
    _choice("mask_meaning", c.mask_meaning, MASK_MEANINGS)
    _choice("method", c.method, METHODS)
    _choice("activation", c.activation, ACTIVATIONS)
    _choice("symrelu_form", c.symrelu_form, SYMRELU_FORMS)
    _choice("loss_form", c.loss_form, LOSS_FORMS)
    _choice("init", c.init, INITS)
    _choice("warm_pick", c.warm_pick, WARM_PICKS)
    _choice("weight_norm", c.weight_norm, WEIGHT_NORMS)
    _choice("metric_layer", c.metric_layer, METRIC_LAYERS)
    _choice("bias_init", c.bias_init, BIAS_INITS)
    _choice("head_init", c.head_init, HEAD_INITS)
    _choice("weight_norm_scope", c.weight_norm_scope, WEIGHT_NORM_SCOPES)
    for name in ("p", "d", "m", "n", "epochs", "batch_size", "log_every"):
        v = getattr(c, name)
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if c.p < c.d:
        raise ValueError(f"p must be >= d (the dictionary has orthonormal columns), got p={c.p} < d={c.d}")
    if c.m < c.d:
        raise ValueError(f"m must be >= d so that every dictionary column can be recovered, got m={c.m} < d={c.d}")
    if c.dictionary == "identity" and c.p != c.d:
        raise ValueError(f"dictionary 'identity' needs p == d, got p={c.p}, d={c.d}")
    if c.latents != "one_hot" and not 0.0 < c.p_sparse <= 1.0:
        raise ValueError(f"p_sparse must lie in (0, 1], got {c.p_sparse}")
    keep_probability(c.masking_prob, c.mask_meaning)
    if not 0 < c.lr <= FLOAT32_MAX:
        raise ValueError(f"lr must be positive and at most {FLOAT32_MAX:.3g} (float32), got {c.lr}")
    if c.weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {c.weight_decay}")
    if not c.temperature > 0:
        raise ValueError(f"temperature must be positive, got {c.temperature}")
    if c.layers not in (1, 2):
        raise ValueError(f"layers must be 1 or 2, got {c.layers}")
    if c.init == "warm" and c.layers != 1:
        raise ValueError("a warm start is defined for a one-layer encoder only (layers=1)")
    if c.noise_std is not None and c.noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {c.noise_std}")
    if c.warm_sigma is not None and c.warm_sigma < 0:
        raise ValueError(f"warm_sigma must be >= 0, got {c.warm_sigma}")
    if c.batch_size > c.n and c.drop_last:
        raise ValueError(f"batch_size {c.batch_size} > n {c.n} with drop_last leaves no batch")
    if c.method == "ncl" and c.projector:
        raise ValueError("the projector belongs to the contrastive model (method 'cl'); "
                         "the non-contrastive model takes a predictor")
    if c.method == "cl" and c.predictor:
        raise ValueError("the contrastive model takes a projector, not a predictor")
    if c.freeze_predictor and not c.predictor:
        raise ValueError("freeze_predictor needs predictor=True")
    if not isinstance(c.predictor_bias, bool):
        raise ValueError(f"predictor_bias must be True or False, got {c.predictor_bias!r}")
    if not c.predictor_bias and not c.predictor:
        raise ValueError("predictor_bias=False needs predictor=True")
    if c.method == "simsiam" and not c.predictor:
        raise ValueError("Simplified-SimSiam needs predictor=True")
    if c.method == "simsiam" and c.projector:
        raise ValueError("Simplified-SimSiam has no projector")


def structural_key(c: TrainConfig) -> tuple:
    """The fields that must agree for replicas to be trained together."""
    return tuple((k, v) for k, v in c.to_dict().items() if k not in REPLICA_FIELDS)
