"""The Atlas (``landscape.atlas``, ``landscape.companion.atlas_page``): grid points share cache
entries however the grid is split, summaries and boundaries are computed right, and a sweep's
points are what the page then loads without training."""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from landscape import atlas as A
from landscape import page_knobs
from landscape.data import noise_std
from landscape.train import TrainResult

ROOT = Path(__file__).resolve().parents[1]


def _params(name: str, profile: str = "paper", **changes):
    from landscape.companion.atlas_page import paper_params

    params = paper_params(name) if profile == "paper" else page_knobs.get(name).resolved(
        "smoke", {**{k: None for k in page_knobs.get(name).knobs}, **_notebook_defaults(name)})
    params.update(changes)
    return params


def _notebook_defaults(name: str) -> dict:
    from landscape.companion.parameters import resolve

    return {k: v for k, v in resolve(name, "smoke", {}).items() if k not in ("profile", "device") and v is not None}


@pytest.mark.parametrize("name", A.names())
def test_a_column_trained_alone_has_the_keys_of_the_whole_grid(name):
    """A sweep point (one column) and the page (every column) make the same batched calls, so the
    page finds what the sweep trained: equal configurations, hence equal cache keys."""
    spec = A.get(name)
    params = _params(name)
    whole = {(m, i, j): [c.key() for c in cfgs] for m, i, j, cfgs in A.cells(spec, params)}
    for j, x in enumerate(params[spec.x_param]):
        alone = {(m, i): [c.key() for c in cfgs] for m, i, _, cfgs in A.cells(spec, {**params, spec.x_param: [x]})}
        for (m, i), keys in alone.items():
            assert keys == whole[(m, i, j)]
    n_rows = len(spec.rows(params))
    assert len(whole) == n_rows * len(params[spec.x_param]) * len(spec.models)


@pytest.mark.parametrize("name", A.names())
def test_the_pages_sweep_command_names_the_grid_exactly(name):
    """The sweep shown on a page trains the very cells the page loads: its values, read back as
    the command line reads them, are the page's grid to the last bit."""
    import shlex

    from landscape.companion.atlas_page import paper_params, sweep_command
    from landscape.companion.parameters import split_values

    spec = A.get(name)
    params = paper_params(name)
    argv = shlex.split(sweep_command(name, spec.x_param, params[spec.x_param]))
    values = split_values(argv[argv.index(spec.x_param) + 1])
    assert [v for (v,) in values] == list(params[spec.x_param])


def test_the_noise_grid_holds_both_readings_and_sets_what_its_axes_say():
    params = _params("atlas-noise")
    stds = params["noise_stds"]
    assert stds[0] == 0.0 and max(stds) > noise_std(10, "paper") and len(stds) >= 8
    assert noise_std(10, "paper") in stds and noise_std(10, "code") in stds
    cells = {(m, i, j): cfgs for m, i, j, cfgs in A.cells(A.get("atlas-noise"), params)}
    rows = A.get("atlas-noise").rows(params)
    assert [r["augmentation"] for _, r in rows] == ["independent"] * 3 + ["dependent"]
    for (m, i, j), cfgs in cells.items():
        c = cfgs[0]
        assert c.noise_std == stds[j] and c.augmentation == rows[i][1]["augmentation"]
        assert c.method == m.lower() and c.batchnorm and c.activation == "symrelu"
        assert c.epochs == (2000 if m == "CL" else 8000)
        assert [x.seed for x in cfgs] == [0, 1, 2] and (c.p, c.d, c.m, c.n, c.lr) == (50, 10, 50, 1000, 0.025)


def test_the_sparsity_and_warm_grids_set_their_axes():
    sp = _params("atlas-sparsity")
    for m, i, j, cfgs in A.cells(A.get("atlas-sparsity"), sp):
        c = cfgs[0]
        assert (c.p_sparse, c.m, c.noise) == (sp["p_sparses"][j], sp["widths"][i], "code")
        assert c.augmentation == ("dependent" if m == "CL" else "independent")
        assert c.predictor == (m == "NCL + predictor") and (c.init == "warm") == (m == "NCL, warm start")
    wp = _params("atlas-warm")
    norms = ["none", "row", "column"]
    for m, i, j, cfgs in A.cells(A.get("atlas-warm"), wp):
        c = cfgs[0]
        assert (c.p, c.d, c.m, c.warm_c, c.weight_norm, c.init) == (20, 20, 20, wp["warm_cs"][j], norms[i], "warm")
        assert c.predictor == (m == "NCL + predictor") and not c.batchnorm


def test_theorem3_c_gives_the_theorem_pages_warm_start():
    d = 20
    c = A.theorem3_c(d, 0.1)
    assert d ** (-c / 2) == pytest.approx(0.1 / d)


def _result(mins: np.ndarray, wall: float = 2.0) -> TrainResult:
    """A fake result whose minimum max-cosine over epochs 0, 25, 50, 75, 100 is ``mins`` [runs, 5]."""
    R, T = mins.shape
    maxcos = np.stack([mins, mins + 0.1, mins + 0.2], axis=-1)
    return TrainResult(configs=[], epochs=np.arange(T) * 25, loss=np.zeros((R, T)), maxcos=maxcos,
                       final_weights=np.zeros((R, 1, 1)), dictionaries=np.zeros((R, 1, 1)), wall_s=wall)


def test_final_stats_by_hand():
    mins = np.array([[0.2, 0.5, 0.6, 0.70, 0.80],
                     [0.4, 0.5, 0.6, 0.74, 0.90]])
    s = A.final_stats(_result(mins))
    assert s["mean"] == pytest.approx(0.85) and s["std"] == pytest.approx(np.std([0.8, 0.9], ddof=1))
    assert s["moved"] == pytest.approx(0.85 - 0.72)          # since epoch 75 = 3/4 of 100
    assert s["rise"] == pytest.approx(0.55) and s["runs"] == 2
    assert s["rise_std"] == pytest.approx(np.std([0.6, 0.5], ddof=1))


def test_grid_summary_leaves_missing_cells_nan_and_counts_them():
    spec = A.get("atlas-noise")
    params = _params("atlas-noise", noise_stds=[0.0, 0.5], keep_probs=[0.5], dependent=False)
    flat = np.tile([0.3, 0.9, 0.9, 0.9, 0.9], (3, 1))
    results = {("CL", 0, 0): _result(flat), ("NCL", 0, 0): _result(flat * 0.5), ("CL", 0, 1): None,
               ("NCL", 0, 1): _result(flat * 0.5, wall=4.0)}
    s = A.grid_summary(spec, params, results)
    assert (s.trained, s.total, s.wall_s) == (3, 4, 8.0)
    assert math.isnan(s.mean["CL"][0, 1]) and s.mean["CL"][0, 0] == pytest.approx(0.9)
    assert s.diff("CL", "NCL")[0, 0] == pytest.approx(0.45) and s.diff_se("CL", "NCL")[0, 0] == 0.0
    assert A.boundary_text(spec, params, s, "CL") == ["Eq. 3, keep 0.5: above 0.8 in the 1 of 2 cells trained"]
    assert A.boundary_text(spec, params, s, "NCL") == ["Eq. 3, keep 0.5: below 0.8 everywhere"]


def test_the_finding_says_which_way_unfinished_cells_still_move():
    """Movement over the last quarter is signed; the finding counts the cells still rising and
    falling, and says whether a clear CL - NCL difference would widen or narrow with them."""
    from landscape.companion.atlas_page import AtlasPage

    spec = A.get("atlas-noise")
    params = _params("atlas-noise", noise_stds=[0.0, 0.5], keep_probs=[0.5], dependent=False)
    flat = np.tile([0.3, 0.9, 0.9, 0.9, 0.9], (3, 1))
    falling = np.tile([0.3, 0.6, 0.6, 0.5, 0.3], (3, 1))        # 0.5 at 3/4 of training, 0.3 at the end
    results = {("CL", 0, 0): _result(flat), ("NCL", 0, 0): _result(falling),
               ("CL", 0, 1): _result(flat), ("NCL", 0, 1): _result(flat * 0.5)}
    s = A.grid_summary(spec, params, results)
    assert s.moved["NCL"][0, 0] == pytest.approx(-0.2) and s.moved["CL"][0, 0] == 0.0
    page = AtlasPage.__new__(AtlasPage)
    page.atlas, page.summary, page.params = spec, s, params
    assert ("NCL: 1 of 2 cells flat, 0 still rising, 1 still falling (largest change -0.200)"
            in page.flat_sentence())
    assert page.moving_sentence() == (" In 1 of the 2 clear cells a model was still moving at the end of "
                                      "training; its movement over the last quarter widens the difference "
                                      "in 1 of them and narrows it in 0.")
    s.moved["NCL"][0, 0] = 0.2                      # NCL still rising towards CL: the gap narrows
    assert page.moving_sentence().endswith("widens the difference in 0 of them and narrows it in 1.")
    s.moved["NCL"][0, 0] = s.moved["CL"][0, 0] = -0.1    # both fall alike: the gap stays
    assert page.moving_sentence().endswith("in 0 of them and narrows it in 0, and leaves it as it was in 1.")
    s.moved["NCL"][0, 0] = s.moved["CL"][0, 0] = 0.0
    assert page.moving_sentence() == ""


def test_crossing_interpolates_the_first_pass_through_the_level():
    assert A.crossing([0.9, 0.9, 0.7, 0.5], [0, 1, 2, 3], 0.8) == pytest.approx((1.5, "falls"))
    x, how = A.crossing([0.95, 0.85, 0.6], [0.0, 0.1, 0.3], 0.8)
    assert how == "falls" and x == pytest.approx(0.1 + 0.05 / 0.25 * 0.2)
    x, how = A.crossing([0.5, 0.6, 0.9], [0, 1, 2], 0.8)
    assert how == "rises" and x == pytest.approx(1 + 0.2 / 0.3)
    assert A.crossing([0.9, math.nan, 0.5], [0, 1, 2], 0.8) is None
    assert A.crossing([0.5, 0.6], [0, 1], 0.8) is None


def test_a_smoke_sweep_trains_what_the_page_then_loads_without_training(tmp_path):
    """``landscape sweep`` over two columns, then the page with train_missing False: every cell is
    found (none trained by the page), and with a third, new column that one is reported missing."""
    env = {**os.environ, "LANDSCAPE_CACHE_DIR": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    bin_ = Path(sys.executable).parent / "landscape"
    run = subprocess.run([str(bin_), "sweep", "atlas-warm", "-p", "warm_cs", "[1.0],[2.0]", "-p", "train_missing",
                          "True", "--workers", "2", "--out", str(tmp_path / "sweep")],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    code = ("from landscape.companion.atlas_page import AtlasPage\n"
            "p = AtlasPage('atlas-warm', 'smoke', {'warm_cs': %s, 'train_missing': False, 'd': 20, "
            "'p_sparse': 0.1, 'noise': 'paper', 'dictionary': 'qr', 'seed': 0})\n"
            "p.train(); print(p.summary.trained, p.summary.total)")
    both = subprocess.run([sys.executable, "-c", code % "[1.0, 2.0]"], env=env, capture_output=True, text=True)
    assert both.stdout.split() == ["12", "12"], both.stderr[-2000:]
    more = subprocess.run([sys.executable, "-c", code % "[1.0, 2.0, 3.0]"], env=env, capture_output=True, text=True)
    assert more.stdout.split() == ["12", "18"], more.stderr[-2000:]


def _scaled(mins: np.ndarray, factor: int, wall: float = 2.0) -> TrainResult:
    """``_result`` of a training ``factor`` times as long (epochs 0 .. 100 * factor)."""
    r = _result(mins, wall)
    return TrainResult(**{**r.__dict__, "epochs": r.epochs * factor})


def test_a_cell_still_moving_is_trained_again_longer_until_flat_or_the_cap():
    """cell_chain asks for 2x, 4x, ... the epochs while the last training still moves, stops at
    the first flat one, at the cap, or at the first that is not stored."""
    cfgs = A.cell_configs(A.get("atlas-noise"), _params("atlas-noise"), 0.0,
                          dict(augmentation="independent", masking_prob=0.2), "NCL")
    falling = np.tile([0.6, 0.6, 0.6, 0.5, 0.3], (3, 1))
    flat = np.tile([0.6, 0.3, 0.2, 0.2, 0.2], (3, 1))
    stored = {8000: _result(falling), 16000: _scaled(falling, 2), 32000: _scaled(flat, 4)}
    asked = []

    def get(c):
        asked.append(c[0].epochs)
        assert [x.seed for x in c] == [x.seed for x in cfgs]                 # the same runs, longer
        assert all(x.replace(epochs=8000) == y for x, y in zip(c, cfgs))
        return stored.get(c[0].epochs)

    chain = A.cell_chain(cfgs, 4, get)
    assert asked == [8000, 16000, 32000] and [r for _, r in chain] == [stored[e] for e in asked]
    assert [c[0].epochs for c, _ in A.cell_chain(cfgs, 2, get)] == [8000, 16000]          # the cap
    assert len(A.cell_chain(cfgs, 1, get)) == 1                                          # never longer
    del stored[16000]
    chain = A.cell_chain(cfgs, 4, get)
    assert [c[0].epochs for c, _ in chain] == [8000, 16000] and chain[-1][1] is None     # next to train
    stored[8000] = _result(flat)
    assert len(A.cell_chain(cfgs, 4, get)) == 1                                          # flat: done
    with pytest.raises(ValueError, match="extend must be >= 1"):
        A.cell_chain(cfgs, 0, get)


def test_the_summary_shows_a_cells_longest_training_and_counts_every_trainings_time():
    spec = A.get("atlas-noise")
    params = _params("atlas-noise", noise_stds=[0.0], keep_probs=[0.5], dependent=False, epochs_ncl=100)
    falling = np.tile([0.6, 0.6, 0.6, 0.5, 0.3], (3, 1))
    flat = np.tile([0.6, 0.3, 0.2, 0.2, 0.2], (3, 1))
    results = {("CL", 0, 0): [_result(flat, wall=1.0)],
               ("NCL", 0, 0): [_result(falling, wall=2.0), _scaled(flat, 2, wall=4.0)]}
    s = A.grid_summary(spec, params, results)
    assert s.wall_s == 7.0 and s.trained == 2
    assert s.epochs["NCL"][0, 0] == 200 and s.mean["NCL"][0, 0] == pytest.approx(0.2)
    assert s.moved["NCL"][0, 0] == pytest.approx(0.0) and s.first["NCL"][0, 0] == pytest.approx(0.3)
    from landscape.companion.atlas_page import AtlasPage

    page = AtlasPage.__new__(AtlasPage)
    page.atlas, page.summary, page.params, page.unfinished = spec, s, params, 1
    text = page.flat_sentence()
    assert "NCL: 1 of 1 cells flat, 0 still rising, 0 still falling (largest change +0.000); trained longer: 1 at ×2, which moved their final value from the first training's by up to -0.100" in text
    assert "CL: 1 of 1 cells flat, 0 still rising, 0 still falling (largest change +0.000); NCL:" in text
    assert "trained again at up to 4 times its epochs." in text
    s.moved["NCL"][0, 0], s.epochs["NCL"][0, 0] = -0.05, 400          # still falling at the cap
    assert "trained again at up to 4 times its epochs; 1 still moving at ×4 is shown as it is." in page.flat_sentence()
    assert "1 cells still moving have their longer training not stored yet" in text
    # the longer training against the shorter over the epochs both logged (0, 50, 100)
    assert (s.repeats, s.repeats_exact, s.repeat_max) == (1, 0, pytest.approx(0.3))
    assert ("the longer trainings repeat the shorter ones bit for bit in 0 of 1 cases; the others differ by at "
            "most 3.0e-01 in any max-cosine (the seed spread of a cell's final value is 0.00 at the median)." in text)
    again = np.concatenate([falling, np.tile([0.1, 0.1, 0.1, 0.1], (3, 1))], axis=1)    # falling, then on
    longer = TrainResult(**{**_result(again).__dict__, "epochs": np.arange(9) * 25})
    exact = A.grid_summary(spec, params, {("NCL", 0, 0): [_result(falling), longer]})
    assert (exact.repeats, exact.repeats_exact, exact.repeat_max) == (1, 1, 0.0)
    page.summary = exact
    assert "bit for bit in 1 of 1 cases." in page.flat_sentence()


def test_a_longer_training_repeats_the_shorter_one_exactly_up_to_its_length():
    """The longer trainings of cell_chain start again from scratch; they are worth their cost only
    because their first epochs are the shorter training's, bit for bit (constant learning rate,
    per-epoch randomness from the seed)."""
    from landscape.train import train

    spec = A.get("atlas-noise")
    params = _params("atlas-noise", "smoke", epochs_ncl=10)
    cfgs = [c.replace(log_every=2) for c in A.cell_configs(spec, params, 0.05, dict(augmentation="independent",
                                                                                     masking_prob=0.5), "NCL", "smoke")]
    short, long = train(cfgs), train(A.longer(cfgs, 2))
    assert list(long.epochs[:len(short.epochs)]) == list(short.epochs) and long.epochs[-1] == 20
    assert np.array_equal(long.maxcos[:, :len(short.epochs)], short.maxcos)
    assert np.array_equal(long.loss[:, 1:len(short.epochs)], short.loss[:, 1:])


def test_the_page_trains_a_cell_still_moving_longer_by_continuing_its_first_training(tmp_path, monkeypatch):
    """With extend = 2 and every training counted as still moving, the page trains each cell's
    second training from the first one's kept final state: only the extra epochs run."""
    from landscape import cache
    from landscape.companion.atlas_page import AtlasPage
    from landscape.train import Engine

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv(cache.SHIPPED_ENV, raising=False)
    monkeypatch.setattr(A, "settled", lambda result: False)
    epochs_run = []
    original = Engine.run_epoch
    monkeypatch.setattr(Engine, "run_epoch", lambda self: (epochs_run.append(self.epoch), original(self))[1])
    namespace = {**_notebook_defaults("atlas-warm"), "warm_cs": [1.0], "d": 4, "epochs_ncl": 20, "extend": 2}
    page = AtlasPage("atlas-warm", "smoke", namespace)
    page.train()
    assert page.summary.trained == page.summary.total == 6 and page.missing == 0
    assert np.all(page.summary.epochs["NCL"] == 40) and np.all(page.summary.epochs["NCL + predictor"] == 40)
    assert len(epochs_run) == 6 * 40                     # 20 epochs, then 20 more, per cell
    assert len(list(tmp_path.glob("*.state.pt"))) == 12 and len(list(tmp_path.glob("*.npz"))) == 12


def test_cells_still_moving_at_the_cap_say_how_fast_they_move_per_doubling():
    """A curve falling by the same amount per doubling of the epochs never flattens over a last
    quarter; the finding gives the median change over the last two doublings and the side on
    which the map shows such cells."""
    from landscape.companion.atlas_page import AtlasPage

    spec = A.get("atlas-noise")
    params = _params("atlas-noise", noise_stds=[0.0], keep_probs=[0.5], dependent=False, epochs_ncl=100, extend=2)
    epochs = np.arange(0, 201, 25)                     # logged every 25 epochs up to 2 x 100
    log_fall = np.tile(0.9 - 0.1 * np.log2(np.maximum(epochs, 25) / 25), (3, 1))    # -0.1 per doubling
    chain = [TrainResult(**{**_result(log_fall[:, :5]).__dict__, "epochs": epochs[:5]}),
             TrainResult(**{**_result(log_fall).__dict__, "epochs": epochs})]
    s = A.grid_summary(spec, params, {("CL", 0, 0): [_result(np.tile([0.9] * 5, (3, 1)))], ("NCL", 0, 0): chain})
    assert s.doubled["NCL"][0, 0] == pytest.approx(-0.1) and s.doubled_before["NCL"][0, 0] == pytest.approx(-0.1)
    assert s.repeats_exact == 1
    page = AtlasPage.__new__(AtlasPage)
    page.atlas, page.summary, page.params, page.unfinished = spec, s, params, 0
    text = page.flat_sentence()
    assert ("1 still moving at ×2 is shown as it is. Over its last doubling of the epochs (×1 to ×2) it moved "
            "by 0.100, against 0.100 over the doubling before (not slowing): it has not settled, and is shown "
            "above where training is taking it.") in text
    s.doubled["NCL"][0, 0] = -0.03                     # slowing down
    assert "it moved by 0.030, against 0.100 over the doubling before (slowing)" in page.flat_sentence()
    s.moved["CL"][0, 0], s.epochs["CL"][0, 0] = 0.05, 2 * A.base_epochs(spec, params, "CL")   # two at the cap
    s.doubled["CL"][0, 0], s.doubled_before["CL"][0, 0] = 0.05, 0.02
    assert ("these moved by 0.040 at the median, against 0.060 over the doubling before (slowing): they have not "
            "settled, and 1 still falling is shown above where training is taking it and 1 still rising is shown "
            "below where training is taking it.") in page.flat_sentence()
