"""Differential tests against the authors' code (github.com/ashwinipokle/contrastive_landscape).

The fixtures in ``tests/fixtures/authors/`` were recorded by ``scripts/authors_fixtures.py``,
which runs the authors' own model, loss, optimiser and training-loop code on fixed inputs
(dictionary, data, sample orders, masks, every initial parameter).  Here the companion's
:class:`~landscape.train.Engine` is given the same inputs (``Engine.inject`` and the
``perm``/``masks`` hooks of ``Engine.run_epoch``) under the public code's reading of each model,
and must give the same loss at every step, the same first-step gradients and the same parameters
after every step, to float32 precision.  Only the fixtures are needed (no authors' environment).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from landscape.config import TrainConfig
from landscape.data import sample_latents, noise_std
from landscape.train import Engine

pytestmark = pytest.mark.authors_code

FIXTURES = Path(__file__).parent / "fixtures" / "authors"
#: Float32 agreement after ~10 SGD steps.
RTOL, ATOL = 1e-5, 1e-5

# --------------------------------------------------------------------------- the authors' reading
NCL = dict(method="ncl", activation="symrelu", symrelu_form="code", drop_last=False)
#: main.py's alternate_train normalises W^o and W^t after every step, whichever was updated
NORMED = dict(NCL, init="warm", warm_pick="code", weight_norm_scope="all")
CL = dict(method="cl", activation="symrelu", symrelu_form="code", drop_last=True, augmentation="dependent")
ENC = {"Wo.weight": ("W1",), "Wo.bias": ("b1",)}

#: For each fixture: the companion's configuration under the public code's reading (the sizes, lr
#: and batch come from the fixture), and the map from the authors' parameter names to the
#: companion's ``(network, name)``.
CASES: dict[str, tuple[dict[str, Any], dict[str, tuple[str, str]]]] = {}


def _ncl_names(bn: bool = False, pred: bool = False, layers: int = 1) -> dict[str, tuple[str, str]]:
    names = {}
    for branch, net in (("o", "online"), ("t", "target")):
        names[f"W{branch}.weight"] = (net, "W1")
        names[f"W{branch}.bias"] = (net, "b1")
        if bn:
            names[f"bn{branch}.weight"] = (net, "g1")
            names[f"bn{branch}.bias"] = (net, "c1")
        if layers == 2:
            names[f"W{branch}_1.weight"] = (net, "W2")
            names[f"W{branch}_1.bias"] = (net, "b2")
            if bn:
                names[f"bn{branch}_1.weight"] = (net, "g2")
                names[f"bn{branch}_1.bias"] = (net, "c2")
    if pred:
        names["Wp.weight"] = ("pred", "W")
        names["Wp.bias"] = ("pred", "b")
    return names


CASES = {
    # main.py --model simplified: no BN, no predictor; --normalize_repr True/False
    "ncl_simplified": (dict(NCL), _ncl_names()),
    "ncl_simplified_inner": (dict(NCL, loss_form="inner"), _ncl_names()),
    # warm start, rows / columns of W^o and W^t normalised after every step (Figs. 7, 13-16)
    "ncl_simplified_ws_row": (dict(NORMED, weight_norm="row"), _ncl_names()),
    "ncl_simplified_ws_col": (dict(NORMED, weight_norm="column"), _ncl_names()),
    "ncl_simplified_ws_row_m_gt_d": (dict(NORMED, weight_norm="row"), _ncl_names()),
    # main.py --model simplified-pred: linear predictor (with bias), with and without BN
    "ncl_pred_bn": (dict(NCL, predictor=True, batchnorm=True), _ncl_names(bn=True, pred=True)),
    "ncl_pred_nobn": (dict(NCL, predictor=True), _ncl_names(pred=True)),
    "ncl_pred_ws_row": (dict(NORMED, predictor=True, weight_norm="row"), _ncl_names(pred=True)),
    # the public scripts of Figs. 7, 13-16: simplified-pred without a predictor bias, trained predictor
    "ncl_pred_nobias_ws_row_identity": (dict(NORMED, predictor=True, predictor_bias=False, weight_norm="row",
                                             loss_form="inner", dictionary="identity"),
                                        {k: v for k, v in _ncl_names(pred=True).items() if k != "Wp.bias"}),
    "ncl_pred_nobias_ws_col": (dict(NORMED, predictor=True, predictor_bias=False, weight_norm="column"),
                               {k: v for k, v in _ncl_names(pred=True).items() if k != "Wp.bias"}),
    # main.py --model simplified-ml: two layers, BN
    "ncl_two_layer_bn": (dict(NCL, layers=2, batchnorm=True), _ncl_names(bn=True, layers=2)),
    # main_simclr.py --model simclr: NT-Xent (tau 0.05), complementary masks, last batch dropped
    "simclr_bn": (dict(CL, batchnorm=True), {**{k: ("enc", v[0]) for k, v in ENC.items()},
                                             "bn1.weight": ("enc", "g1"), "bn1.bias": ("enc", "c1")}),
    "simclr_nobn": (dict(CL), {k: ("enc", v[0]) for k, v in ENC.items()}),
    # main_simclr.py --model simclr-orig: Simplified-SimCLR (BN, SymReLU, linear projector)
    "simclr_projector": (dict(CL, batchnorm=True, projector=True),
                         {**{k: ("enc", v[0]) for k, v in ENC.items()}, "bn1.weight": ("enc", "g1"),
                          "bn1.bias": ("enc", "c1"), "Wp.weight": ("proj", "W"), "Wp.bias": ("proj", "b")}),
    # main_simsiam.py --model simsiam: encoder + BN + SymReLU, projection layer + BN + SymReLU
    # (the companion's second encoder layer), linear predictor; independent masks, last batch kept
    "simsiam": (dict(method="simsiam", predictor=True, layers=2, batchnorm=True, activation="symrelu",
                     symrelu_form="code", drop_last=False),
                {**{k: ("enc", v[0]) for k, v in ENC.items()}, "norm1.weight": ("enc", "g1"),
                 "norm1.bias": ("enc", "c1"), "Wproj.weight": ("enc", "W2"), "Wproj.bias": ("enc", "b2"),
                 "norm2.weight": ("enc", "g2"), "norm2.bias": ("enc", "c2"), "Wp.weight": ("pred", "W"),
                 "Wp.bias": ("pred", "b")}),
}


def load(name: str) -> dict[str, Any]:
    with np.load(FIXTURES / f"{name}.npz") as z:
        out = {k: z[k] for k in z.files}
    out["meta"] = json.loads(str(out["meta"]))
    return out


def config(name: str, fx: dict[str, Any], **changes: Any) -> TrainConfig:
    spec = fx["meta"]["spec"]
    fields, _ = CASES[name]
    return TrainConfig(p=spec["p"], d=spec["d"], m=spec["m"], n=spec["n"], batch_size=spec["batch"],
                       epochs=spec["epochs"], lr=spec["lr"], **{**fields, **changes})


def replay(name: str, fx: dict[str, Any], *, zero_bias: bool = False, **changes: Any) -> dict[str, Any]:
    """Train the companion's Engine on the fixture's inputs; record what the fixture recorded.
    ``zero_bias`` plants a difference: biases start at zero (the text) instead of the code's."""
    _, names = CASES[name]
    cfg = config(name, fx, **changes)
    eng = Engine([cfg], device="cpu")
    init: dict[str, dict[str, np.ndarray]] = {}
    for theirs, (net, k) in names.items():
        v = fx[f"init/{theirs}"]
        init.setdefault(net, {})[k] = np.zeros_like(v) if zero_bias and k[0] == "b" else v
    assert {(n, k) for n, net in eng.model.items() for k in net} == set(names.values()), \
        "every parameter of the companion's model has a counterpart in the authors' model"
    eng.inject(M=fx["M"][None], X=fx["X"][None], model={n: {k: v[None] for k, v in d.items()} for n, d in init.items()})

    owner = {id(v): (n, k) for n, net in eng.model.items() for k, v in net.items()}
    grads: dict[tuple[str, str], np.ndarray] = {}
    sgd = eng._sgd

    def first_grads(params: list[torch.Tensor], loss: torch.Tensor) -> None:
        if not grads:  # the first step's gradients, taken exactly as the step takes them
            for p_, g in zip(params, torch.autograd.grad(loss.sum(), params, retain_graph=True)):
                grads[owner[id(p_)]] = g[0].detach().numpy().copy()
        sgd(params, loss)

    eng._sgd = first_grads
    losses: list[float] = []
    states: list[dict[tuple[str, str], np.ndarray]] = []

    def on_step(k: int, loss: torch.Tensor) -> None:
        losses.append(float(loss[0]))
        states.append({(n, k_): v[0].detach().numpy().copy() for n, net in eng.model.items() for k_, v in net.items()})

    for e in range(cfg.epochs):
        masks = (torch.from_numpy(fx["mask1"][e][None]), torch.from_numpy(fx["mask2"][e][None]))
        eng.run_epoch(perm=torch.from_numpy(fx["perms"][e][None]), masks=masks, on_step=on_step)
    return dict(loss=np.array(losses), states=states, grads=grads)


def compare(name: str, fx: dict[str, Any], ours: dict[str, Any]) -> None:
    _, names = CASES[name]
    np.testing.assert_allclose(ours["loss"], fx["loss"], rtol=RTOL, atol=ATOL, err_msg=f"{name}: losses")
    for theirs, key in names.items():
        if f"grad0/{theirs}" in fx:
            np.testing.assert_allclose(ours["grads"].get(key, 0.0), fx[f"grad0/{theirs}"], rtol=RTOL, atol=ATOL,
                                       err_msg=f"{name}: first-step gradient of {theirs}")
        else:  # the authors' first step leaves it without a gradient: so must ours
            assert key not in ours["grads"], f"{name}: {theirs} has no gradient in the authors' first step"
        got = np.stack([s[key] for s in ours["states"]])
        np.testing.assert_allclose(got, fx[f"steps/{theirs}"], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name}: {theirs} after each step")


# --------------------------------------------------------------------------- the tests
def test_fixtures_name_the_authors_commit():
    files = sorted(FIXTURES.glob("*.npz"))
    assert {f.stem for f in files} >= set(CASES) | {"data_stats"}
    for f in files:
        meta = json.loads(str(np.load(f)["meta"]))
        assert meta["authors_commit"].startswith("daec951"), f
        assert meta["authors_repository"] == "github.com/ashwinipokle/contrastive_landscape"
    assert sum(f.stat().st_size for f in files) < 1_000_000


@pytest.mark.parametrize("name", sorted(CASES))
def test_engine_matches_authors_code(name):
    fx = load(name)
    assert len(fx["loss"]) == fx["meta"]["steps"] >= 10
    compare(name, fx, replay(name, fx))


@pytest.mark.parametrize("name", ["ncl_simplified", "ncl_pred_bn", "simclr_bn", "simsiam"])
def test_planted_difference_is_caught(name):
    """Zero biases where the authors' code keeps nn.Linear's default init must fail the comparison."""
    fx = load(name)
    assert np.abs(fx["init/Wo.bias"]).max() > 0.01  # the code's biases are not zero
    with pytest.raises(AssertionError):
        compare(name, fx, replay(name, fx, zero_bias=True))


@pytest.mark.parametrize("name", ["ncl_simplified_ws_row", "ncl_simplified_ws_col", "ncl_pred_ws_row"])
def test_normalising_only_the_updated_network_differs_from_the_code(name):
    """The companion's default (``weight_norm_scope="updated"``) leaves W^t unnormalised until its
    own first step; the public code normalises both after every step.  The warm start is not
    normalised, so the two differ from the first target step on."""
    fx = load(name)
    with pytest.raises(AssertionError):
        compare(name, fx, replay(name, fx, weight_norm_scope="updated"))


def test_a_frozen_predictor_is_not_the_code():
    """The public code's two optimisers hold all of the model's parameters: it trains the predictor."""
    fx = load("ncl_pred_nobias_ws_col")
    assert np.abs(fx["steps/Wp.weight"][-1] - fx["init/Wp.weight"]).max() > 1e-3
    with pytest.raises(AssertionError):
        compare("ncl_pred_nobias_ws_col", fx, replay("ncl_pred_nobias_ws_col", fx, freeze_predictor=True))


def test_planted_difference_in_the_activation_is_caught():
    """Eq. 14's SymReLU (bias as threshold) in place of the code's form must fail too."""
    fx = load("ncl_simplified")
    with pytest.raises(AssertionError):
        compare("ncl_simplified", fx, replay("ncl_simplified", fx, symrelu_form="paper"))


# --------------------------------------------------------------------------- configuration keys
def test_new_fields_leave_existing_cache_keys_unchanged():
    """Keys hash ``to_dict()``; fields added later (``bias_init``) appear only when not default."""
    from landscape.cache import run_key
    c = TrainConfig()
    assert c.key() == "3aa1525eabbf1ce4"  # computed before bias_init existed
    assert run_key([c], torch.device("cpu"), torch.float32, False) == "c056ab54b95558edc6721697"
    for name, value in (("bias_init", "torch"), ("predictor_bias", False), ("weight_norm_scope", "all")):
        assert name not in c.to_dict()
        changed = c.replace(**({"predictor": True} if name == "predictor_bias" else {}), **{name: value})
        assert changed.to_dict()[name] == value
        assert changed.key() != c.replace(predictor=changed.predictor).key()
        assert TrainConfig(**changed.to_dict()) == changed


def test_new_fields_are_validated():
    with pytest.raises(ValueError, match=r"unknown bias_init 'torhc' \(did you mean 'torch'\?\); valid choices: zero, torch"):
        TrainConfig(bias_init="torhc")
    with pytest.raises(ValueError, match=r"unknown weight_norm_scope 'both'; valid choices: updated, all"):
        TrainConfig(weight_norm_scope="both")
    with pytest.raises(ValueError, match="predictor_bias=False needs predictor=True"):
        TrainConfig(predictor_bias=False)


def test_code_warm_pick_is_with_replacement_when_m_exceeds_d():
    from landscape.data import dictionary
    from landscape.models import init_model
    c = TrainConfig(p=30, d=10, m=30, init="warm")
    M = dictionary(c.p, c.d, generator=torch.Generator().manual_seed(0))
    a = init_model(M, c.replace(warm_pick="code"), torch.Generator().manual_seed(1))
    b = init_model(M, c.replace(warm_pick="with_replacement"), torch.Generator().manual_seed(1))
    assert all(torch.equal(a[n]["W1"], b[n]["W1"]) for n in a)


def test_torch_bias_init_is_nn_linear_default_and_keeps_the_weights():
    from landscape.data import dictionary
    from landscape.models import init_model
    c = TrainConfig(p=40, m=60, d=10, predictor=True, layers=2, batchnorm=True, bias_init="torch")
    M = dictionary(c.p, c.d, generator=torch.Generator().manual_seed(0))
    code = init_model(M, c, torch.Generator().manual_seed(1))
    text = init_model(M, c.replace(bias_init="zero"), torch.Generator().manual_seed(1))
    for net, params in code.items():
        for k, v in params.items():
            if k[0] == "b":
                bound = 1 / np.sqrt(params["W" + k[1:]].shape[1])
                assert v.abs().max() <= bound and v.abs().max() > 0.8 * bound, (net, k)
                assert torch.count_nonzero(text[net][k]) == 0
            else:
                assert torch.equal(v, text[net][k]), (net, k)


HEADS = [("ncl_pred_bn", "Wp", "pred"), ("ncl_pred_nobias_ws_col", "Wp", "pred"),
         ("simclr_projector", "Wp", "proj"), ("simsiam", "Wp", "pred"), ("simsiam", "Wproj", "W2")]


def _our_heads(name: str, which: str, head_init: str, seeds: int = 20) -> np.ndarray:
    """The initial weights of one head of the fixture's model as the companion draws them under
    the code's reading (``head_init`` as given), over ``seeds`` seeds."""
    from landscape.data import dictionary
    from landscape.models import init_model

    fx = load(name)
    c = config(name, fx).code_reading().replace(head_init=head_init)
    out = []
    for seed in range(seeds):
        M = dictionary(c.p, c.d, generator=torch.Generator().manual_seed(seed))
        model = init_model(M, c, torch.Generator().manual_seed(seed))
        W = model["enc"]["W2"] if which == "W2" else model[which]["W"]
        out.append(W.numpy().ravel())
    return np.concatenate(out)


@pytest.mark.parametrize("name, theirs, ours", HEADS)
def test_head_weights_start_as_the_authors_code_draws_them(name, theirs, ours):
    """The authors' scripts overwrite only the encoders' first layer: a predictor, a projector
    and SimSiam's projection layer keep nn.Linear's default weights, which their fixture recorded
    as drawn by their own code. Ours under the code's reading have the same distribution (a
    two-sample Kolmogorov-Smirnov test), the text's N(0, 1/(p d)) does not (a planted difference:
    it left the final loss of Figure 5's model 0.16 below the authors' runs)."""
    from scipy.stats import ks_2samp

    recorded = load(name)[f"init/{theirs}.weight"].ravel()
    assert ks_2samp(recorded, _our_heads(name, ours, "torch")).pvalue > 1e-3
    assert ks_2samp(recorded, _our_heads(name, ours, "paper")).pvalue < 1e-6
    assert TrainConfig(**CASES[name][0]).code_reading().head_init == "torch"


# --------------------------------------------------------------------------- data distributions
STATS = FIXTURES / "data_stats.npz"
#: Two-sample z-scores beyond this fail: the statistics are deterministic (fixed seeds), and a
#: true difference of the size that matters gives z in the tens at these sample sizes.
Z_MAX = 5.0


def _stats() -> tuple[dict[str, np.ndarray], dict[str, int]]:
    with np.load(STATS) as z:
        data = {k: z[k] for k in z.files if k != "meta"}
        meta = json.loads(str(z["meta"]))
    return data, meta["sample_sizes"]


def assert_rates_agree(ours: np.ndarray, theirs: np.ndarray, n_ours: int, n_theirs: int, what: str) -> None:
    """Per-coordinate frequencies agree within Z_MAX two-sample standard errors."""
    pooled = (ours * n_ours + theirs * n_theirs) / (n_ours + n_theirs)
    se = np.sqrt(np.maximum(pooled * (1 - pooled), 1e-12) * (1 / n_ours + 1 / n_theirs))
    z = np.abs(ours - theirs) / se
    assert z.max() < Z_MAX, f"{what}: max z {z.max():.2f} (ours {ours}, theirs {theirs})"


@pytest.mark.parametrize("d,prob", [(10, 0.1), (10, 0.3), (20, 0.1), (20, 0.25)])
def test_code_latents_have_the_authors_distribution(d, prob):
    data, sizes = _stats()
    tag = f"latents/d{d}_p{prob}"
    N = sizes[tag]
    Z = sample_latents(N, d, prob, "code", generator=torch.Generator().manual_seed(11)).numpy()
    # the count of -1 and +1 per sample is fixed, and the same
    np.testing.assert_array_equal(np.unique((Z < 0).sum(1)), data[f"{tag}/n_neg"])
    np.testing.assert_array_equal(np.unique((Z > 0).sum(1)), data[f"{tag}/n_pos"])
    assert_rates_agree((Z < 0).mean(0), data[f"{tag}/neg_rate"], N, N, f"{tag} P(z_j = -1)")
    assert_rates_agree((Z > 0).mean(0), data[f"{tag}/pos_rate"], N, N, f"{tag} P(z_j = +1)")
    nz = (Z != 0).astype(np.float64)
    co = nz.T @ nz / N
    assert_rates_agree(co[np.triu_indices(d, 1)], data[f"{tag}/cooccur"][np.triu_indices(d, 1)], N, N,
                       f"{tag} P(z_i != 0, z_j != 0)")
    # mean and variance per coordinate: z in {-1, 0, 1}, so their standard errors follow
    var_se = np.sqrt(2 * data[f"{tag}/var"] / N)  # generous: Var(z^2) <= E z^2 for z^2 in {0, 1}
    assert np.all(np.abs(Z.mean(0) - data[f"{tag}/mean"]) < Z_MAX * np.sqrt(2 * data[f"{tag}/var"] / N))
    assert np.all(np.abs(Z.var(0) - data[f"{tag}/var"]) < Z_MAX * var_se)


@pytest.mark.parametrize("p,d", [(20, 20), (50, 10)])
def test_code_noise_has_the_authors_distribution(p, d):
    data, sizes = _stats()
    tag = f"noise/p{p}_d{d}"
    N = sizes[tag]
    g = torch.Generator().manual_seed(12)
    eps = (noise_std(d, "code") * torch.randn(N, p, generator=g, dtype=torch.float64)).numpy()
    sd = noise_std(d, "code")
    # per coordinate: mean within Z_MAX standard errors; variance (Var of s^2 = 2 s^4 / N, Gaussian)
    assert np.all(np.abs(eps.mean(0) - data[f"{tag}/mean"]) < Z_MAX * sd * np.sqrt(2 / N))
    assert np.all(np.abs(eps.var(0) - data[f"{tag}/var"]) < Z_MAX * sd ** 2 * np.sqrt(2 / N + 2 / N))
    # pooled over coordinates, a tighter check of the scale: sqrt(ln d) / d, not the text's sqrt(ln d / d)
    pooled_se = sd ** 2 * np.sqrt(2 / (N * p) * 2)
    assert abs(eps.var(0).mean() - data[f"{tag}/var"].mean()) < Z_MAX * pooled_se
    # Gaussian tails (kurtosis 3; its standard error is sqrt(24 / N))
    assert np.all(np.abs(data[f"{tag}/kurt"] - 3) < Z_MAX * np.sqrt(24 / N))


@pytest.mark.parametrize("maskprob", [0.1, 0.5, 0.9])
def test_independent_masks_have_the_authors_distribution(maskprob):
    """The non-contrastive (and SimSiam) script: two independent masks, each coordinate kept with
    probability 1 - masking probability (the companion's ``mask_meaning='drop'``)."""
    data, sizes = _stats()
    tag = f"masks/independent_q{maskprob}"
    N = sizes[tag]
    cfg = TrainConfig(p=20, d=10, m=20, n=N, batch_size=N, masking_prob=maskprob, mask_meaning="drop")
    eng = Engine([cfg], device="cpu")
    m1, m2 = (m[0].numpy().astype(np.float64) for m in eng._masks(N))
    np.testing.assert_array_equal(np.unique(np.stack([m1, m2])), data[f"{tag}/values"])  # 0 / 1, no rescaling
    assert_rates_agree(m1.mean(0), data[f"{tag}/keep1"], N, N, f"{tag} first view keeps")
    assert_rates_agree(m2.mean(0), data[f"{tag}/keep2"], N, N, f"{tag} second view keeps")
    assert_rates_agree((m1 * m2).mean(0), data[f"{tag}/both"], N, N, f"{tag} both views keep")


@pytest.mark.parametrize("p,d,m,c", [(20, 20, 20, 1.25), (50, 10, 50, 1.0), (50, 10, 10, 1.0)])
def test_code_warm_start_has_the_authors_distribution(p, d, m, c):
    """``warm_pick="code"``: as gen_Winit, called once for W^o and once for W^t.  When m = d,
    row i of both networks starts at column i (so the two are aligned neuron by neuron); when
    m > d, each network draws its m columns with replacement, independently."""
    from landscape.data import dictionary
    from landscape.models import init_model
    data, sizes = _stats()
    tag = f"warm/p{p}_d{d}_m{m}_c{c}"
    K = sizes[tag]
    cfg = TrainConfig(p=p, d=d, m=m, init="warm", warm_c=c, warm_pick="code")
    M = dictionary(p, d, generator=torch.Generator().manual_seed(3))
    g = torch.Generator().manual_seed(4)
    nearest = np.empty((K, 2, m), dtype=np.int64)
    resid = np.empty((K, 2))
    for k in range(K):
        model = init_model(M, cfg, g)
        for j, net in enumerate(("online", "target")):
            W = model[net]["W1"]
            nearest[k, j] = (W @ M).abs().argmax(1).numpy()
            resid[k, j] = (W - (W @ M) @ M.T).std().item()  # the noise outside M's columns
    np.testing.assert_allclose(resid.mean(0), data[f"{tag}/resid_std"], rtol=0.02, atol=1e-6)
    same = (nearest[:, 0] == nearest[:, 1]).mean(0)
    assert_rates_agree(same, data[f"{tag}/online_target_same"], K, K, f"{tag}: W^o and W^t rows start at one column")
    if m == d:
        assert_rates_agree((nearest == np.arange(m)).mean((0, 1)), data[f"{tag}/row_is_column_i"], 2 * K, 2 * K,
                           f"{tag}: row i starts at column i")
    use = np.stack([(nearest == j).sum(2).mean((0, 1)) for j in range(d)])
    se = np.sqrt(m / d * (1 - 1 / d) * 2 / (2 * K))  # binomial count of m draws, 2K networks each side
    assert np.all(np.abs(use - data[f"{tag}/column_use"]) < Z_MAX * se + 1e-12), f"{tag}: columns used"
    if m == d:  # the companion's other picks are not the code's: independent orders per network
        cover = init_model(M, cfg.replace(warm_pick="cover"), torch.Generator().manual_seed(5))
        on, ta = ((cover[n]["W1"] @ M).abs().argmax(1) for n in ("online", "target"))
        assert (on == ta).float().mean() < 0.5


@pytest.mark.parametrize("maskprob", [0.5, 0.1, 0.75])
def test_complementary_masks_have_the_authors_distribution(maskprob):
    """The contrastive script: views 2 D x and 2 (I - D) x with D ~ Bernoulli(0.5), whatever its
    masking probability (Table 1's 0.1 only names its output file): under the code's reading
    the companion's masks have that distribution at every masking probability."""
    data, sizes = _stats()
    N = sizes["masks/dependent"]
    cfg = TrainConfig(p=20, d=10, m=20, method="cl", masking_prob=maskprob).code_reading().replace(n=N, batch_size=N)
    eng = Engine([cfg], device="cpu")
    m1, m2 = (m[0].numpy().astype(np.float64) for m in eng._masks(N))
    np.testing.assert_array_equal(np.unique(m1 + m2), data["masks/dependent/sum"])
    np.testing.assert_array_equal(np.unique(np.stack([m1, m2])), data["masks/dependent/values"])
    assert_rates_agree((m1 > 0).mean(0), data["masks/dependent/view1_rate"], N, N, "dependent: first view keeps")


# --------------------------------------------------------------------------- the preset
#: Each model of the registry and the fixture whose authors' script trains it.
PRESET_CASES = [
    ("figure-02", "NCL", "ncl_simplified"), ("figure-08", "NCL", "ncl_simplified"),
    ("figure-14", "NCL", "ncl_simplified_ws_row"), ("figure-15", "NCL", "ncl_simplified_ws_col"),
    ("figure-07", "NCL", "ncl_simplified_ws_row_m_gt_d"), ("figure-05", "NCL", "ncl_pred_bn"),
    ("figure-03", "NCL-basic-2L", "ncl_two_layer_bn"), ("figure-02", "CL", "simclr_bn"),
    ("table-1", "Simplified-SimCLR", "simclr_projector"), ("table-1", "Simplified-SimSiam", "simsiam"),
]


@pytest.mark.parametrize("name, label, case", PRESET_CASES)
def test_the_code_reading_preset_is_the_reading_the_differential_tests_verify(name, label, case):
    """``TrainConfig.code_reading()`` of a registry model sets every field the step-by-step
    comparison with the authors' code fixes for that model, plus their data and schedule."""
    from landscape import experiments

    exp = experiments.get(name)
    cfg = exp.configs(exp.defaults("paper"))[label][0].code_reading()
    verified = TrainConfig(**CASES[case][0])
    fields = ("method", "activation", "symrelu_form", "batchnorm", "layers", "predictor", "projector",
              "weight_norm", "weight_norm_scope", "drop_last", "augmentation")
    assert {k: getattr(cfg, k) for k in fields} == {k: getattr(verified, k) for k in fields}
    if cfg.init == "warm":
        assert cfg.warm_pick == "code"
    if cfg.method != "cl":
        assert cfg.mask_meaning == "drop"                 # the probability zeroes a coordinate
    assert (cfg.latents, cfg.noise, cfg.bias_init, cfg.lr, cfg.n) == ("code", "code", "torch", 0.005, 3000)
    assert cfg.head_init == ("torch" if cfg.predictor or cfg.projector or cfg.method == "simsiam" else "paper")
    assert cfg.code_reading() == cfg                      # a preset: applying it twice changes nothing


@pytest.mark.parametrize("name", ["figure-02-ncl", "figure-05", "figure-03", "figure-02-cl", "table-1-simsiam",
                                  "table-1-simclr", "figure-15"])
def test_each_side_by_side_setting_is_the_one_the_authors_runs_were_recorded_with(name):
    """paper_vs_code.SIDE_BY_SIDE gives, under the code's reading, exactly the configuration
    recorded beside the authors' run (results/authors/<name>.json), with their seeds and length."""
    from landscape import paper_vs_code

    record = json.loads((Path(__file__).resolve().parents[1] / "results" / "authors" / f"{name}.json").read_text())
    cfgs = paper_vs_code.side_by_side("paper", name=name)["code reading"]
    mine = cfgs[0].to_dict()
    mine.pop("seed")
    assert mine == record["companion_config"]
    assert [c.seed for c in cfgs] == record["seeds"] and cfgs[0].epochs == record["epochs"]


def test_figure_14s_side_by_side_run_matches_the_authors_record():
    from landscape import paper_vs_code

    record = json.loads((Path(__file__).resolve().parents[1] / "results" / "authors" / "figure-14.json").read_text())
    cfgs = paper_vs_code.side_by_side("paper")["code reading"]
    cfg = record["config"]
    assert (cfgs[0].p, cfgs[0].d, cfgs[0].m, cfgs[0].n, cfgs[0].lr) == (cfg["p"], cfg["d"], cfg["m"], cfg["nn"], cfg["lr"])
    assert [c.seed for c in cfgs] == record["seeds"] and cfgs[0].epochs == record["epochs"]
