"""The figure / table registry (landscape.experiments), its notebooks, and landscape.analysis."""
from __future__ import annotations

import math
import csv
import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from landscape import experiments as E
from landscape import analysis as P
from landscape.analysis.summaries import STD_DDOF
from landscape.config import TrainConfig
from landscape.train import TrainResult

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ALL = sorted(E.EXPERIMENTS)


# ------------------------------------------------------------------------------ registry
def test_every_figure_and_table_has_a_notebook_section():
    wanted = {f"Figure {i}" for i in range(1, 19)} | {f"Table {i}" for i in range(1, 5)}
    assert set(E.SECTIONS) == wanted
    assert E.notebook_of("Figure 10") == "figure-03"
    assert E.notebook_of("Figure 17") == "table-1"
    assert E.get("Table 3").name == "table-1"


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("profile", E.PROFILES)
def test_builds_valid_configs(name, profile):
    exp = E.get(name)
    params = exp.resolve(profile)
    configs = exp.configs(params)
    assert set(configs) == set(exp.labels)
    n_cond = len(exp.conditions(params))
    for label, cfgs in configs.items():
        assert all(isinstance(c, TrainConfig) for c in cfgs)
        assert len(cfgs) == params["runs"] * n_cond
        assert sorted({c.seed for c in cfgs}) == list(range(params["seed"], params["seed"] + params["runs"]))
        # one batched call per model: only per-replica fields may differ
        from landscape.config import structural_key
        assert len({structural_key(c) for c in cfgs}) == 1, label


@pytest.mark.parametrize("name", ALL)
def test_paper_profile_is_the_papers_setting(name):
    exp = E.get(name)
    params = exp.resolve("paper")
    for cfgs in exp.configs(params).values():
        for c in cfgs:
            assert (c.n, c.lr, c.epochs, c.batch_size, c.drop_last) == (1000, 0.025, 8000, 512, False)
            assert (c.latents in ("paper", "one_hot"), c.noise, c.augmentation, c.mask_meaning) == \
                (True, "paper", "independent", "keep")
            assert c.symrelu_form == "paper" and c.loss_form == "normalized" and c.weight_decay == 0
    if "p_sparse" in params:
        assert params["p_sparse"] == (0.1, 0.2, 0.3)


# (experiment, model) -> expected TrainConfig fields of the paper profile
PAPER_SPECS = {
    ("figure-01", "NCL"): dict(method="ncl", latents="one_hot", batchnorm=False, activation="symrelu", m=50),
    ("figure-01", "CL"): dict(method="cl", latents="one_hot", batchnorm=False, activation="symrelu", temperature=0.05),
    ("figure-02", "NCL"): dict(method="ncl", batchnorm=True, activation="symrelu", init="random", layers=1),
    ("figure-02", "CL"): dict(method="cl", batchnorm=True, activation="symrelu", projector=False),
    ("figure-03", "NCL-basic-2L"): dict(method="ncl", batchnorm=True, layers=2, metric_layer="first"),
    ("figure-04", "NCL"): dict(method="ncl", batchnorm=True, init="warm", warm_c=1.0, predictor=False,
                               warm_pick="with_replacement"),
    ("figure-05", "NCL"): dict(method="ncl", batchnorm=True, init="warm", warm_c=1.0, predictor=True),
    ("figure-06", "NCL"): dict(method="ncl", batchnorm=True, init="random", predictor=True),
    ("figure-07", "NCL"): dict(method="ncl", init="warm", warm_c=2.0, weight_norm="row", masking_prob=0.9,
                               batchnorm=False, predictor=False, p=50, d=10, m=50),
    ("figure-08", "NCL"): dict(method="ncl", m=50, batchnorm=False, activation="symrelu"),
    ("figure-09", "CL"): dict(method="cl", m=10, batchnorm=False, activation="symrelu"),
    ("figure-13", "NCL"): dict(weight_norm="row", warm_c=1.0, p=50, d=10, m=10, warm_pick="code"),
    ("figure-14", "NCL"): dict(weight_norm="row", warm_c=1.25, p=20, d=20, m=20, warm_pick="code"),
    ("figure-15", "NCL"): dict(weight_norm="column", warm_c=1.25, p=20, d=20, m=20, masking_prob=0.5),
    ("figure-16", "NCL"): dict(weight_norm="column", warm_c=2.0, p=50, d=10, m=50, masking_prob=0.75),
    ("table-1", "Simplified-SimCLR"): dict(method="cl", projector=True, batchnorm=True, activation="relu",
                                           masking_prob=0.1),
    ("table-1", "Simplified-SimSiam"): dict(method="simsiam", predictor=True, batchnorm=True,
                                            activation="relu", masking_prob=0.1),
    ("table-2", "NCL-linear"): dict(method="ncl", batchnorm=False, activation="none"),
    ("table-2", "CL-linear"): dict(method="cl", batchnorm=False, activation="none"),
    ("table-4", "NCL-basic"): dict(method="ncl", batchnorm=True, activation="symrelu", init="warm"),
}
PAPER_RUNS = {"figure-05": 3, "figure-06": 3, "figure-07": 3, "figure-13": 3, "figure-14": 3,
              "figure-15": 3, "figure-16": 3}


@pytest.mark.parametrize("key", sorted(PAPER_SPECS))
def test_paper_model_fields(key):
    name, label = key
    exp = E.get(name)
    params = exp.resolve("paper")
    assert params["runs"] == PAPER_RUNS.get(name, 5)
    for c in exp.model_configs(label, params):
        for field, value in PAPER_SPECS[key].items():
            assert getattr(c, field) == value, (key, field)


def test_table4_sweeps_sigma_and_sparsity_in_one_call():
    exp = E.get("table-4")
    cfgs = exp.model_configs("NCL-basic", exp.resolve("paper"))
    assert len(cfgs) == 45
    assert sorted({c.warm_sigma for c in cfgs}) == [0.002, 0.02, 0.14]
    assert sorted({c.p_sparse for c in cfgs}) == [0.1, 0.2, 0.3]


@pytest.mark.parametrize("profile", E.PROFILES)
def test_coinciding_experiments_share_runs(profile):
    def cfgs(name, label):
        exp = E.get(name)
        return exp.model_configs(label, exp.resolve(profile))
    assert cfgs("figure-02", "NCL") == cfgs("table-2", "NCL-basic")
    assert cfgs("figure-02", "CL") == cfgs("table-2", "CL-basic") == cfgs("figure-03", "CL-basic")
    assert cfgs("figure-03", "NCL-basic-2L") == cfgs("table-2", "NCL-basic-2L")
    assert cfgs("figure-05", "NCL") == cfgs("figure-06", "NCL-warm")


@pytest.mark.parametrize("name", ALL)
def test_smoke_profile_is_small(name):
    exp = E.get(name)
    params = exp.resolve("smoke")
    assert params["runs"] <= 2 and params["n"] <= 250 and params["epochs"] <= 50
    # a partial last batch, so that the smoke runs (and the goldens) see the step count and
    # parity of an epoch whose n is not a multiple of the batch size
    assert params["n"] % params["batch_size"] != 0
    # replica-epochs, with the check of the code's readings (Table 2: 5 models x (6 + 3) x 50)
    assert exp.cost(params) <= 2250
    assert exp.replicas(params) <= 30


def test_code_readings_switch_noise_for_all_and_masks_for_contrastive_models():
    exp = E.get("table-2")
    params = exp.resolve("smoke", reading_runs=2)
    code = exp.configs(params, "code")
    assert set(code) == set(exp.labels)
    for label, cfgs in code.items():
        text = exp.model_configs(label, params)
        assert len(cfgs) == 2 * len(params["p_sparse"])
        assert all(c.noise == "code" for c in cfgs)
        want = "dependent" if cfgs[0].method == "cl" else "independent"
        assert all(c.augmentation == want for c in cfgs)
        # nothing else changes (smoke runs = reading_runs = 2: the same replicas)
        back = dict(noise=text[0].noise, augmentation=text[0].augmentation)
        assert [dataclasses.replace(c, **back) for c in cfgs] == text
    assert exp.configs(exp.resolve("smoke", reading_runs=0), "code") == {}
    ncl_only = E.get("figure-04")     # a non-contrastive experiment: the code's noise level alone
    (cfgs,) = ncl_only.configs(ncl_only.resolve("smoke"), "code").values()
    assert all(c.noise == "code" and c.augmentation == "independent" for c in cfgs)
    with pytest.raises(ValueError, match="unknown reading 'cdoe'.*did you mean 'code'"):
        exp.configs(params, "cdoe")


def test_code_readings_take_the_codes_mask_meaning_where_it_changes_the_masks():
    # Table 1 (masking probability 0.1): SimSiam's independent masks keep 0.9 of the coordinates
    # (the code zeroes with 0.1); SimCLR's complementary masks ignore the probability.
    t1 = E.get("table-1")
    code = t1.configs(t1.resolve("paper"), "code")
    assert {c.mask_meaning for c in code["Simplified-SimSiam"]} == {"drop"}
    assert code["Simplified-SimSiam"][0].alpha == pytest.approx(0.9)
    assert code["Simplified-SimCLR"][0].augmentation == "dependent"
    f7 = E.get("figure-07")          # masking probability 0.9: keeps 0.1 under the code's reading
    (cfgs,) = f7.configs(f7.resolve("paper"), "code").values()
    assert cfgs[0].mask_meaning == "drop" and cfgs[0].alpha == pytest.approx(0.1)
    f4 = E.get("figure-04")          # 0.5: both meanings give the same masks, the config is unchanged
    (cfgs,) = f4.configs(f4.resolve("paper"), "code").values()
    assert cfgs[0].mask_meaning == "keep" and cfgs[0].alpha == 0.5


def test_ambiguity_switches():
    f1 = E.get("figure-01")
    code = f1.configs(f1.resolve("paper", cl_batchnorm=True))
    assert code["CL"][0].batchnorm and not code["NCL"][0].batchnorm
    f2 = E.get("figure-02")
    cfg = f2.configs(f2.resolve("paper", ncl_batchnorm=False, augmentation="dependent", latents="code",
                                noise="code", lr=0.005, mask_meaning="drop"))
    assert not cfg["NCL"][0].batchnorm and cfg["CL"][0].batchnorm
    assert cfg["CL"][0].augmentation == "dependent" and cfg["CL"][0].latents == "code"
    # ncl_batchnorm in Table 2 reaches NCL-basic only
    t2 = E.get("table-2")
    cfg = t2.configs(t2.resolve("paper", ncl_batchnorm=False, cl_batchnorm=False))
    assert not cfg["NCL-basic"][0].batchnorm and cfg["NCL-basic-2L"][0].batchnorm
    assert not cfg["CL-basic"][0].batchnorm and not cfg["NCL-linear"][0].batchnorm
    f8 = E.get("figure-08")
    assert f8.configs(f8.resolve("paper", m=10))["NCL"][0].m == 10
    # temperature reaches contrastive models only
    cfg = f2.configs(f2.resolve("paper", temperature=0.5))
    assert cfg["CL"][0].temperature == 0.5 and cfg["NCL"][0].temperature == 0.05


def test_warm_pick_code_reading():
    """The public code's gen_Winit: row i of every encoder at column i when m = d (the same start
    for the online and the target network); m columns with replacement when m > d."""
    f4 = E.get("figure-04")
    assert f4.configs(f4.resolve("smoke", m=10))["NCL"][0].warm_pick == "code"
    assert f4.configs(f4.resolve("smoke"))["NCL"][0].warm_pick == "with_replacement"
    assert f4.configs(f4.resolve("smoke", warm_pick="cover"))["NCL"][0].warm_pick == "cover"


# ------------------------------------------------------------------------------ errors
def test_unknown_parameter_names_closest_and_lists_valid():
    exp = E.get("figure-02")
    with pytest.raises(ValueError) as err:
        exp.resolve("smoke", epoch=3)
    msg = str(err.value)
    assert "'epoch'" in msg and "did you mean 'epochs'" in msg and "p_sparse" in msg


@pytest.mark.parametrize("kw, fragment", [
    (dict(runs=2.5), "runs must be an integer"),
    (dict(runs=0), "runs must be >= 1"),
    (dict(runs=True), "runs must be an integer"),
    (dict(lr=-1.0), "lr must be > 0"),
    (dict(lr="fast"), "lr must be a number"),
    (dict(p_sparse=[0.1, 1.5]), "every value of p_sparse must be"),
    (dict(p_sparse=[]), "p_sparse must not be empty"),
    (dict(p_sparse="0.1"), "p_sparse must be a list of numbers"),
    (dict(p_sparse=[0.1, 0.1]), "repeated"),
    (dict(latents="papr"), "did you mean 'paper'"),
    (dict(ncl_batchnorm="yes"), "ncl_batchnorm must be a bool"),
    (dict(masking_prob=0.0), "masking_prob must be > 0"),
    (dict(m=5), "m must be >= d"),                       # caught by TrainConfig validation
    (dict(batch_size=500, drop_last=True, n=100), "no batch"),
])
def test_bad_values_raise_clear_errors(kw, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        E.get("figure-02").resolve("smoke", **kw)


def test_bad_profile_experiment_device():
    with pytest.raises(ValueError, match="did you mean 'paper'"):
        E.get("figure-02").resolve("papr")
    with pytest.raises(ValueError, match="did you mean 'figure-02'"):
        E.get("figure-2")
    exp = E.get("figure-02")
    with pytest.raises(ValueError, match="unknown device"):
        exp.run(exp.resolve("smoke"), device="gpu")


def test_none_means_profile_default_and_lists_become_tuples():
    exp = E.get("table-4")
    params = exp.resolve("smoke", runs=None, sigmas=[0.1, 0.01])
    assert params["runs"] == 2 and params["sigmas"] == (0.1, 0.01)


# ------------------------------------------------------------------------------ notebooks
NB_FOR = {name: NOTEBOOKS / f"{name}.py" for name in ALL}


def _cells(text):
    return re.split(r"^# %%", text, flags=re.M)[1:]


@pytest.mark.parametrize("name", ALL)
def test_notebook_structure(name):
    path = NB_FOR[name]
    assert path.exists(), f"missing notebook {path}"
    text = path.read_text()
    exp = E.get(name)
    assert "name: landscape" in text and "display_name: landscape" in text
    cells = _cells(text)
    # the parameters cell declares profile, device and every knob, in the registry's words
    params = [c for c in cells if c.startswith(' tags=["parameters"]')]
    assert len(params) == 1
    assert params[0].split("\n", 1)[1].strip() == exp.parameters_cell()
    # a titled section per figure / table it holds
    for section in exp.sections:
        assert re.search(rf"^# ## {section}$", text, flags=re.M), section
    assert re.search(r"^# # (Figure|Table) \d+: ", text, flags=re.M)
    assert "not a reproduction" in text
    # the banner is shown first (glued from the last cell, which builds it from the verdicts)
    first = cells[0]
    assert first.startswith(" [markdown]") and "```{glue:md} banner\n# :format: myst" in first
    assert cells[-1].split("\n", 1)[1].strip() in ("fig.banner()", "tab.banner()")
    # before it, the checked key-numbers cell, and only that
    checked = [c for c in cells if c.startswith(' tags=["nbval-check-output"]')]
    assert len(checked) == 1 and checked[0] is cells[-3]
    body = checked[0].split("\n", 1)[1].strip()
    assert body.startswith("key_numbers(") and body.endswith(")")
    # figures are saved under stable names
    names = {f"figure-{int(s.split()[1]):02d}" for s in exp.sections if s.startswith("Figure")}
    variants = {f"{n}-{v}" for n in names for v, _ in exp.variants}    # a variant's figure
    for fig in re.findall(r'save_figure\(fig, "([^"]+)"', text):
        assert fig in names | variants


# ------------------------------------------------------------------------------ plotting
def _fake_result(p_sparse=(0.1, 0.2), runs=3, epochs=4, final=None, label_field="p_sparse"):
    configs = [TrainConfig(n=20, batch_size=10, epochs=epochs, log_every=2, p_sparse=ps, seed=s)
               for ps in p_sparse for s in range(runs)]
    R, T = len(configs), 3
    rng = np.random.default_rng(0)
    maxcos = np.sort(rng.uniform(0.2, 0.9, size=(R, T, 3)), axis=-1)
    if final is not None:
        maxcos[:, -1, :] = final
    loss = rng.uniform(0.5, 2.0, size=(R, T))
    loss[:, 0] = np.nan
    return TrainResult(configs=configs, epochs=np.array([0, 2, 4]), loss=loss, maxcos=maxcos,
                       final_weights=np.zeros((R, 50, 50)), dictionaries=np.zeros((R, 50, 10)))


def test_summarise_groups_by_condition():
    res = _fake_result()
    summ = P.summarise(res, "NCL")
    assert [s.cond for s in summ] == [{"p_sparse": 0.1}, {"p_sparse": 0.2}]
    s = P.find(summ, "NCL", p_sparse=0.2)
    vals = res.maxcos[3:, -1, 0]
    assert s.final["min"].mean == pytest.approx(vals.mean())
    assert s.final["min"].std == pytest.approx(vals.std(ddof=STD_DDOF))
    assert s.final["min"].min == pytest.approx(vals.min()) and s.runs == 3
    assert s.key("min") == "ncl_ps0p2_min" and s.key("min", "start") == "ncl_ps0p2_min_start"
    keys = P.key_numbers_for(summ)
    assert list(keys)[:3] == ["ncl_ps0p1_min", "ncl_ps0p1_median", "ncl_ps0p1_max"]
    assert "Pr(sparse) = 0.1" in P.format_summary(summ)


def test_tolerance_is_defined_once():
    assert P.tolerance(0.05) == pytest.approx(0.1)
    assert P.tolerance(0.001) == 0.05 and P.tolerance(None) == 0.05
    assert P.tolerance(0.3) == 0.15                      # capped: a huge paper spread does not pass all
    assert P.within_tolerance(0.55, 0.5, 0.01)
    assert not P.within_tolerance(0.56, 0.5, 0.01)
    assert P.within_tolerance(0.65, 0.5, 0.2) and not P.within_tolerance(0.9, 0.5, 0.2)


def test_reported_numbers_are_package_data():
    rows = P.load_reported()
    assert len(rows) == 94
    r = P.reported("table2", "CL-basic", "min", p_sparse=0.1)
    assert (r.mean, r.std) == (0.88, 0.002)
    assert P.reported("table4", "NCL-basic", "max", p_sparse=0.3, sigma_ws=0.002).mean == 0.96
    assert P.reported("fig5", "NCL-warmstart-predictor", "min_maxcos_end").mean == 0.87


def test_every_reported_model_is_an_experiment_model():
    models = {m for e in E.EXPERIMENTS.values() for m in e.labels}
    from landscape.analysis.reported import reported_csv

    for row in csv.DictReader(reported_csv().splitlines()):
        if row["source"].startswith("table"):
            assert row["model"] in models, row["model"]


def test_compare_table_marks_cells():
    # CL-basic at the paper's exact numbers: every cell within tolerance
    exact = {0.1: (0.88, 0.91, 0.93), 0.2: (0.79, 0.91, 0.93)}
    res = _fake_result()
    for i, c in enumerate(res.configs):
        res.maxcos[i, -1, :] = exact[c.p_sparse]
    comp = P.compare_table(P.summarise(res, "CL-basic"), "table2")
    assert comp.n_cells == 6 and comp.n_within == 6
    assert "6 of 6 cells" in comp.text() and "| CL-basic |" in comp.markdown()
    res.maxcos[:, -1, 0] = 0.5          # minimum max-cosine far off
    comp = P.compare_table(P.summarise(res, "CL-basic"), "table2")
    assert comp.n_within == 4
    assert "✗" in comp.text()


def test_plot_curves_layout():
    import matplotlib
    matplotlib.use("Agg")
    res = {"NCL": _fake_result(), "CL": _fake_result()}
    fig = P.plot_curves(res, P.FOUR_PANELS, title="t")
    axes = fig.get_axes()
    assert [a.get_ylabel() for a in axes] == ["Minimum max-cosine", "Median max-cosine",
                                              "Maximum max-cosine", "Loss"]
    assert all(a.get_xlabel() == "Epoch" for a in axes)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "NCL, Pr(sparse) = 0.1" in labels and "CL, Pr(sparse) = 0.2" in labels
    with pytest.raises(ValueError, match="unknown panel"):
        P.plot_curves(res, ("min", "cost"))
    import matplotlib.pyplot as plt
    plt.close("all")


def test_run_trains_and_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDSCAPE_CACHE_DIR", str(tmp_path))
    exp = E.get("figure-02")
    params = exp.resolve("smoke", n=40, batch_size=20, epochs=2, log_every=1, runs=1, p_sparse=[0.2])
    results = exp.run(params, device="cpu", progress=False)
    assert set(results) == {"NCL", "CL"}
    assert results["CL"].maxcos.shape == (1, 3, 3)
    assert len(list(tmp_path.glob("*.npz"))) == 2
    again = exp.run(params, device="cpu", progress=False)
    assert np.array_equal(again["NCL"].maxcos, results["NCL"].maxcos.astype(np.float32).astype(np.float64))


def test_paper_runs_cover_both_readings_and_the_paper_vs_code_page():
    exp = E.get("figure-02")
    params = exp.defaults("paper")
    runs = E.paper_runs("figure-02")
    assert runs == list(exp.configs(params).values()) + list(exp.configs(params, "code").values())
    assert [len(r) for r in runs] == [15, 15, 3, 3]
    assert [len(r) for r in E.paper_runs("figure-04")] == [15, 3]
    from landscape import paper_vs_code
    pvc = E.paper_runs("paper-vs-code")
    assert pvc == paper_vs_code.all_configs("paper")
    names = [n for v in paper_vs_code.comparisons().values() for n in v]
    sbs = [cfgs for name in paper_vs_code.SIDE_BY_SIDE
           for cfgs in paper_vs_code.side_by_side("paper", name=name).values()]
    comparisons = pvc[:len(pvc) - len(sbs)]
    assert pvc[len(comparisons):] == sbs
    assert sum(len(g) for g in comparisons) == 3 * len(names)   # every variant at every Pr(sparse), once
    assert all(c.epochs == 2000 and c.n == 1000 for g in comparisons for c in g)
    # the side-by-side runs of Figure 14's setting: the code's reading, with both bias initialisations
    sbs_torch, sbs_zero = sbs[:2]
    assert [c.seed for c in sbs_torch + sbs_zero] == [1, 2, 3, 1, 2, 3]
    assert [c.bias_init for c in (sbs_torch[0], sbs_zero[0])] == ["torch", "zero"]
    assert all(c.n == 3000 and c.lr == 0.005 for g in sbs for c in g)


def test_figure_7_variant_starts_at_the_quoted_cosine_and_is_shipped():
    from landscape.config import TrainConfig

    c = TrainConfig.warm_c_for_cosine(0.62, 50)
    sigma = 50 ** (-c / 2)
    assert 1 / math.sqrt(1 + 50 * sigma ** 2) == pytest.approx(0.62)
    assert TrainConfig.warm_c_for_cosine(1 / math.sqrt(2), 50) == pytest.approx(1.0)   # sigma^2 = 1/p
    with pytest.raises(ValueError, match="cosine must lie in"):
        TrainConfig.warm_c_for_cosine(1.0, 50)
    from landscape.analysis import reported

    assert reported("fig7", "NCL-warmstart-rownorm", "min_maxcos_start").mean == E.FIG7_QUOTED_START
    f7 = E.get("figure-07")
    assert f7.readings == ("text", "code", E.FIG7_START_VARIANT)
    params = f7.resolve("paper")
    (text,), (variant,) = f7.configs(params).values(), f7.configs(params, E.FIG7_START_VARIANT).values()
    assert [v.warm_c for v in variant] == [round(c, 2)] * len(text)
    assert [v.replace(warm_c=2.0) for v in variant] == text          # nothing else changes
    assert variant in E.paper_runs("figure-07")
    with pytest.raises(ValueError, match="unknown reading 'paper-strat'.*did you mean 'paper-start'"):
        f7.configs(params, "paper-strat")
    assert E.get("figure-02").readings == ("text", "code")


def test_the_authors_reading_is_the_code_preset_of_every_model():
    """reading='authors': each model's configurations under TrainConfig.code_reading(); a size or
    learning rate the profile (or the user) changed is kept; Figure 1's script gives CL BatchNorm."""
    f2 = E.get("figure-02")
    paper = f2.defaults("paper")
    text, authors = f2.configs(paper), f2.configs(paper, "authors")
    for label in text:
        assert authors[label] == [c.code_reading() for c in text[label]]
        assert all(c.n == 3000 and c.lr == 0.005 and c.epochs == 8000 for c in authors[label])
    smoke = f2.configs(f2.resolve("smoke", lr=0.01), "authors")
    assert {(c.n, c.lr) for cs in smoke.values() for c in cs} == {(E.SMOKE_CHANGES["n"], 0.01)}
    f1 = E.get("figure-01").configs(E.get("figure-01").defaults("paper"), "authors")
    assert f1["CL"][0].batchnorm and not f1["NCL"][0].batchnorm and f1["CL"][0].latents == "one_hot"
    assert [len(r) for r in E.authors_runs("figure-05")] == [9]
    with pytest.raises(ValueError, match="valid choices: text, code, authors"):
        f2.configs(paper, "author")
