"""Bad, odd and extreme inputs to ``landscape``: every one is refused before a kernel starts.

Table-driven: each case is a command line (run in-process through ``landscape.companion.cli.main``
in a temporary working directory), the exit status it must give and words its message must hold,
always including the offending parameter or file.  No case may start a kernel (execution is
replaced by a failure) or write a run folder.  The machine's memory is fixed at 16 GiB so that the
size checks give the same answer everywhere.  The last tests hold the parameter registry equal to
the notebooks' parameters cells.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Callable

import pytest

import landscape.companion.execute as E
from landscape import budget, experiments, page_knobs
from landscape.companion import cli, parameters, runs

USAGE = runs.EXIT_USAGE
GIB = 2 ** 30


def _write(path: str, text: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return setup


def _mkdir(path: str) -> Callable[[Path], None]:
    return lambda root: (root / path).mkdir(parents=True)


# (id, argv, needles the message must hold, set-up of the working directory or None)
CASES = [
    # ---- class 3: the theorem pages and the paper-vs-code page are range-checked
    ("thm1 alpha above 1", ["run", "thm1", "-p", "alpha", "1.5"], ["theorem-1", "alpha", "<= 1", "1.5"], None),
    ("thm1 alpha 0", ["run", "thm1", "-p", "alpha", "0"], ["alpha must be > 0"], None),
    ("thm1 d 0", ["run", "thm1", "-p", "d", "0"], ["theorem-1", "d must be >= 2 and <= 14", "got 0"], None),
    ("thm1 d 15", ["run", "thm1", "-p", "d", "15"], ["d must be >= 2 and <= 14", "2^d"], None),
    ("thm1 d float", ["run", "thm1", "-p", "d", "6.5"], ["d must be an integer", "6.5"], None),
    ("thm1 d word", ["run", "theorem-1", "-p", "d", "six"], ["theorem-1: d must be an integer", "'six'"], None),
    ("thm1 n_random negative", ["run", "thm1", "-p", "n_random", "-5"], ["n_random must be >= 1", "-5"], None),
    ("thm1 n_starts huge", ["run", "thm1", "-p", "n_starts", "10**9"], ["n_starts must be"], None),
    ("thm1 tau negative", ["run", "thm1", "-p", "tau", "-1"], ["tau must be > 0"], None),
    ("thm1 tau infinite", ["run", "thm1", "-p", "tau", "1e999"], ["tau must be a finite number", "inf"], None),
    ("thm1 lr string", ["run", "thm1", "-p", "lr", "fast"], ["lr must be a number", "'fast'"], None),
    ("thm1 near_scale negative", ["run", "thm1", "-p", "near_scale", "-0.1"], ["near_scale must be >= 0"], None),
    ("thm1 batch size 0", ["run", "thm1", "-p", "batch_sizes", "[0, 4]"], ["every value of batch_sizes", ">= 1"], None),
    ("thm1 batch sizes empty", ["run", "thm1", "-p", "batch_sizes", "[]"], ["batch_sizes must not be empty"], None),
    ("thm1 batch size float", ["run", "thm1", "-p", "batch_sizes", "[4, 2.5]"],
     ["batch_sizes must be a list of integers", "2.5"], None),
    ("thm1 n_batch_mc 1", ["run", "thm1", "-p", "n_batch_mc", "1"], ["n_batch_mc must be >= 2"], None),
    ("thm1 seed negative", ["run", "thm1", "-p", "seed", "-1"], ["seed must be >= 0"], None),
    ("thm1 seed 2**32", ["run", "thm1", "-p", "seed", str(2 ** 32)], ["seed must be", "4294967295"], None),
    ("thm1 steps bool", ["run", "thm1", "-p", "steps", "True"], ["steps must be an integer", "True"], None),
    ("thm1 alpha None", ["run", "thm1", "-p", "alpha", "None"], ["alpha must be a number", "None"], None),
    ("thm1 unknown parameter", ["run", "thm1", "-p", "alhpa", "0.5"],
     ["theorem-1 has no parameter 'alhpa'", "did you mean 'alpha'"], None),
    ("thm2 d above p", ["run", "thm2", "-p", "d", "30"], ["theorem-2", "p must be >= d", "p=20 < d=30"], None),
    ("thm2 m 0", ["run", "thm2", "-p", "m", "0"], ["m must be >= 1"], None),
    ("thm2 latents code", ["run", "thm2", "-p", "latents", "code"],
     ["unknown latents 'code'", "valid choices: paper, one_hot"], None),
    ("thm2 noise", ["run", "thm2", "-p", "noise", "gaussian"], ["unknown noise 'gaussian'", "valid choices"], None),
    ("thm2 weight_decay rule", ["run", "thm2", "-p", "weight_decay", "fast"],
     ["unknown weight_decay 'fast'", "sum_preserving", "or a number"], None),
    ("thm2 weight_decay negative", ["run", "thm2", "-p", "weight_decay", "-1"], ["weight_decay must be >= 0"], None),
    ("thm2 batch above n_data", ["run", "thm2", "-p", "batch", "5000"],
     ["batch must be <= n_data", "batch=5000 > n_data=1000"], None),
    ("thm2 drift_n 0", ["run", "thm2", "-p", "drift_n", "[0, 10]"], ["every value of drift_n", ">= 1"], None),
    ("thm2 p_sparse 0", ["run", "thm2", "-p", "p_sparse", "0"], ["p_sparse must be > 0"], None),
    ("thm2 eta 0", ["run", "thm2", "-p", "eta", "0"], ["eta must be > 0"], None),
    ("thm3 d 12", ["run", "thm3", "-p", "d", "12"], ["theorem-3", "d must be >= 2 and <= 7", "7^d"], None),
    ("thm3 bias 1", ["run", "thm3", "-p", "bias", "1.0"], ["bias must be < 1", "silences every unit"], None),
    ("thm3 kappa", ["run", "thm3", "-p", "kappa", "1.5"], ["kappa must be > 0 and <= 1"], None),
    ("thm3 lemma_d float", ["run", "thm3", "-p", "lemma_d", "[1, 2.5]"], ["lemma_d must be a list of integers"], None),
    ("thm3 lemma_c 0", ["run", "thm3", "-p", "lemma_c", "[0]"], ["every value of lemma_c must be > 0"], None),
    ("thm3 tol 0", ["run", "thm3", "-p", "tol", "0"], ["tol must be > 0"], None),
    ("thm3 bad_biases repeated", ["run", "thm3", "-p", "bad_biases", "[0.0, 0.0]"], ["bad_biases has repeated values"], None),
    ("thm3 c3 samples huge", ["run", "thm3", "-p", "c3_mc_samples", str(10 ** 12)], ["c3_mc_samples must be"], None),
    ("pvc epochs negative", ["run", "paper-vs-code", "-p", "epochs", "-3"],
     ["paper-vs-code", "epochs must be >= 1", "-3"], None),
    ("pvc epochs 0", ["run", "paper-vs-code", "-p", "epochs", "0"], ["epochs must be >= 1"], None),
    ("pvc seed negative", ["run", "paper-vs-code", "-p", "seed", "-1"], ["seed must be >= 0"], None),
    ("pvc device", ["run", "paper-vs-code", "-p", "device", "tpu"], ["unknown device 'tpu'"], None),
    ("sweep thm1 alpha", ["sweep", "thm1", "-p", "alpha", "0.5,1.5"], ["alpha must be", "grid point alpha=1.5"], None),
    # ---- class 5: sizes that cannot fit are refused before anything is allocated
    ("runs 10 million", ["run", "fig2", "-p", "runs", "10000000"],
     ["figure-02", "more than this machine has (16.0 GB)", "30000000 replicas (runs x conditions)"], None),
    ("epochs 1e12", ["run", "fig2", "-p", "epochs", "1000000000000"],
     ["epochs=1000000000000", "more than this machine has"], None),
    ("p 10 million", ["run", "fig2", "-p", "p", "10000000"], ["p=10000000", "GB of memory"], None),
    ("n 1e9", ["run", "fig1", "-p", "n", "1000000000"], ["n=1000000000", "more than this machine has"], None),
    ("batch and n huge", ["run", "fig5", "-p", "n", "10000000", "-p", "batch_size", "10000000"],
     ["batch_size=10000000", "more than this machine has"], None),
    ("a century of training", ["run", "fig2", "-p", "epochs", str(10 ** 11), "-p", "log_every", str(10 ** 11)],
     ["would take", "years", "epochs=100000000000"], None),
    ("pvc epochs 1e12", ["run", "paper-vs-code", "-p", "epochs", str(10 ** 12)],
     ["paper-vs-code", "epochs=1000000000000", "more than this machine has"], None),
    ("thm1 Monte Carlo too big", ["run", "thm1", "-p", "n_batch_mc", str(10 ** 8), "-p", "batch_sizes", "[100000]"],
     ["theorem-1", "n_batch_mc=100000000", "more than this machine has"], None),
    ("thm3 states too many", ["run", "thm3", "-p", "d", "7", "-p", "n_cold", "10000"],
     ["theorem-3", "7^d states with d=7", "n_cold=10000"], None),
    ("sweep one point too big", ["sweep", "fig2", "-p", "runs", "1,10000000"],
     ["more than this machine has", "grid point runs=10000000"], None),
    # ---- class 6: keep probabilities the 32-bit mask draws cannot represent
    ("masking_prob 1e-320", ["run", "fig2", "-p", "masking_prob", "1e-320"], ["masking_prob 1e-320", "2^-32"], None),
    ("masking_prob 1e-12", ["run", "fig1", "-p", "masking_prob", "1e-12"], ["masking_prob 1e-12", "2^-32"], None),
    ("drop nearly everything", ["run", "fig2", "-p", "masking_prob", "0.9999999999", "-p", "mask_meaning", "drop"],
     ["masking_prob 0.9999999999", "mask_meaning 'drop'", "2^-32"], None),
    # ---- class 4 through the command line: strict types and finite values
    ("lr infinite", ["run", "fig2", "-p", "lr", "1e999"], ["lr must be a finite number"], None),
    ("temperature 0", ["run", "fig2", "-p", "temperature", "0"], ["temperature must be > 0"], None),
    ("drop_last string", ["run", "fig2", "-p", "drop_last", "'False'"], ["drop_last must be a bool", "'False'"], None),
    ("warm_c negative", ["run", "fig4", "-p", "warm_c", "-1"], ["warm_c must be >= 0"], None),
    ("seed too large", ["run", "fig2", "-p", "seed", str(2 ** 32)], ["seed must be an integer in [0, 2**32)"], None),
    ("runs 0", ["run", "fig2", "-p", "runs", "0"], ["runs must be >= 1"], None),
    ("p_sparse repeated", ["run", "fig2", "-p", "p_sparse", "[0.1, 0.1]"], ["p_sparse has repeated values"], None),
    ("p_sparse empty", ["run", "fig2", "-p", "p_sparse", "[]"], ["p_sparse must not be empty"], None),
    ("sigmas negative", ["run", "tab4", "-p", "sigmas", "[-0.1]"], ["every value of sigmas must be >= 0"], None),
    ("reading unknown", ["run", "fig1", "-p", "reading", "authors"],
     ["figure-01", "unknown reading 'authors'", "valid choices: paper, code"], None),
    ("m below d", ["run", "fig1", "-p", "m", "5"], ["m must be >= d", "m=5 < d=10"], None),
    # ---- class 8: rough edges
    ("scheduler refused", ["sweep", "fig1", "-p", "lr", "0.01,0.02", "--scheduler", "tcp://127.0.0.1:1"],
     ["cannot reach the Dask scheduler at tcp://127.0.0.1:1", "--scheduler"], None),
    ("scheduler malformed", ["sweep", "fig1", "-p", "lr", "0.01,0.02", "--scheduler", "http://example.org"],
     ["--scheduler 'http://example.org' is not an address", "tcp://host:8786"], None),
    ("scheduler without host", ["sweep", "fig1", "-p", "lr", "0.01,0.02", "--scheduler", "tcp://"],
     ["--scheduler 'tcp://' is not an address"], None),
    ("out is a file", ["run", "fig1", "--out", "notes.txt"], ["notes.txt exists and is not a landscape run folder"],
     _write("notes.txt", "mine")),
    ("out holds other files", ["run", "fig1", "--out", "thesis"], ["thesis exists and is not a landscape run folder"],
     _write("thesis/chapter.tex", "precious")),
    ("cite malformed provenance", ["cite", "fig1", "--out", "bad"],
     ["bad/provenance.json is not a readable provenance record"], _write("bad/provenance.json", "[1, 2")),
    ("cite another notebook's provenance", ["cite", "fig1", "--out", "other"],
     ["other/provenance.json is not a readable provenance record"],
     _write("other/provenance.json", json.dumps({"notebook": "figure-02", "git": {}}))),
    ("cite folder without provenance", ["cite", "fig1", "--out", "empty"], ["no provenance.json in empty"],
     _mkdir("empty")),
    ("cite run that was never made", ["cite", "fig1", "-p", "lr", "0.5"], ["no run of figure-01 with these parameters"],
     None),
    ("unknown notebook", ["run", "figure-99"], ["no notebook draws Figure 99", "valid names:"], None),
    ("list unknown notebook", ["list", "thoerem1"], ["unknown notebook 'thoerem1'", "did you mean 'theorem-1'"], None),
    ("workers 0", ["sweep", "fig1", "-p", "lr", "0.1,0.2", "--workers", "0"], ["--workers must be >= 1"], None),
    ("device given twice", ["run", "fig1", "--device", "cpu", "-p", "device", "cpu"], ["give the device once"], None),
]


@pytest.fixture
def no_kernel(tmp_path, monkeypatch):
    """A temporary working directory, a 16 GiB machine, and no notebook execution at all."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(budget, "machine_memory", lambda: 16 * GIB)
    monkeypatch.setattr(E, "execute", lambda *a, **k: pytest.fail("a bad input reached the kernel"))
    return tmp_path


def test_the_suite_has_at_least_60_cases():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("argv, needles, setup", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_before_anything_runs(argv, needles, setup, no_kernel, capsys):
    if setup is not None:
        setup(no_kernel)
    before = sorted(p.relative_to(no_kernel) for p in no_kernel.rglob("*"))
    assert cli.main(argv) == USAGE
    err = capsys.readouterr().err
    assert err.startswith("landscape: error: "), err
    for needle in needles:
        assert needle in err, (needle, err)
    assert "Traceback" not in err
    assert sorted(p.relative_to(no_kernel) for p in no_kernel.rglob("*")) == before  # nothing written


# ============================================================================ the registry
def _registry(name: str) -> dict:
    exp = experiments.EXPERIMENTS.get(name)
    if exp is not None:
        return {**page_knobs.EXPERIMENT_PAGE_KNOBS, **exp.knobs}
    assert name in page_knobs.PAGES, f"{name}: a notebook without a parameter registry (page_knobs.PAGES)"
    return dict(page_knobs.PAGES[name].knobs)


@pytest.mark.parametrize("name", E.list_notebooks())
def test_every_declared_parameter_has_a_type_and_range_in_the_registry(name):
    """Drift fails here: a parameter added to, renamed in or removed from a notebook's parameters
    cell must be added to, renamed in or removed from the registry, with the same type."""
    declared = {k: v for k, v in E.declared_parameters(name).items() if k not in ("profile", "device")}
    registry = _registry(name)
    missing = sorted(set(declared) - set(registry))
    assert not missing, f"{name}: parameters without a range in the registry: {missing}"
    if name not in experiments.EXPERIMENTS:
        stale = sorted(set(registry) - set(declared))
        assert not stale, f"{name}: registry entries the notebook no longer declares: {stale}"
    for key, info in declared.items():
        assert info["type"].replace(" ", "") == registry[key].type_name.replace(" ", ""), (name, key)


@pytest.mark.parametrize("name", sorted(page_knobs.PAGES))
@pytest.mark.parametrize("profile", ["smoke", "paper"])
def test_every_page_default_passes_its_own_checks(name, profile):
    declared = E.declared_parameters(name)
    page = page_knobs.PAGES[name]
    for key, knob in page.knobs.items():
        default = ast.literal_eval(declared[key]["default"])
        if default is not None:
            knob.check(default)
    assert parameters.validate_parameters(name, profile, {}) == {}


def _theory_profile_call(name: str) -> dict:
    """The ``name=(smoke, paper)`` pairs of a theorem page's ``page.theory_profile(...)`` call."""
    tree = ast.parse(E.notebook_path(name).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "theory_profile":
            return {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
    return {}


@pytest.mark.parametrize("name", ["theorem-1", "theorem-2", "theorem-3"])
def test_the_registry_knows_what_none_means_on_each_theorem_page(name):
    """Cross-checks and memory estimates use the value a None parameter takes: the same pairs as
    the page's own ``theory_profile`` call."""
    assert {k: tuple(v) for k, v in page_knobs.PAGES[name].profile_values.items()} == _theory_profile_call(name)
