"""The ``landscape`` command: list, run, sweep (Dask), cite, and its handling of bad input.

Real executions use figure-01 (the fastest training notebook) at a toy size; figure-05 with a
huge learning rate is the notebook whose training diverges.  Everything runs in temporary folders
(the working directory is changed for the commands that write ``runs/``).
"""
from __future__ import annotations

import contextlib
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import landscape.companion.execute as E
from landscape import __version__, experiments
from landscape.companion import cli, parameters, runs
from landscape.companion import sweep as S

TINY = ["-p", "runs", "1", "-p", "epochs", "4", "-p", "n", "50", "-p", "batch_size", "50",
        "-p", "log_every", "2"]
TINY_PARAMS = {"runs": 1, "epochs": 4, "n": 50, "batch_size": 50, "log_every": 2}


def landscape(*argv: str) -> int:
    return cli.main([str(a) for a in argv])


@contextlib.contextmanager
def _env(**values: str):
    with pytest.MonkeyPatch.context() as mp:
        for k, v in values.items():
            mp.setenv(k, v)
        yield mp


def _numbers(folder: Path) -> dict:
    return json.loads((folder / "key_numbers.json").read_text())


# ============================================================================ names and values
@pytest.mark.parametrize("text, name", [
    ("figure-01", "figure-01"), ("figure-1", "figure-01"), ("fig1", "figure-01"),
    ("fig-01", "figure-01"), ("Figure 1", "figure-01"), ("figure 5", "figure-05"),
    ("Fig. 5", "figure-05"), ("notebooks/figure-05.py", "figure-05"), ("table-2", "table-2"),
    ("tab2", "table-2"), ("Table 2", "table-2"), ("theorem-1", "theorem-1"), ("thm1", "theorem-1"),
    ("Theorem 1", "theorem-1"),
    # appendix sections drawn by another notebook
    ("Figure 10", "figure-03"), ("fig10", "figure-03"), ("Figure 12", "figure-05"),
    ("Table 3", "table-1"), ("tab3", "table-1"), ("Figure 17", "table-1"),
])
def test_resolve_name_friendly_forms(text, name):
    assert parameters.resolve_name(text) == name


def test_every_section_resolves_to_its_notebook():
    for section, notebook in experiments.SECTIONS.items():
        assert parameters.resolve_name(section) == notebook


@pytest.mark.parametrize("text, hint", [("figre-5", "figure-05"), ("tabel2", "table-2"),
                                        ("thoerem1", "theorem-1")])
def test_resolve_name_suggests_the_closest(text, hint):
    with pytest.raises(parameters.UsageError) as err:
        parameters.resolve_name(text)
    assert f"did you mean {hint!r}" in str(err.value)
    assert "valid names:" in str(err.value) and "theorem-1" in str(err.value)


def test_parse_value_is_literal_only():
    assert parameters.parse_value("0.01") == 0.01
    assert parameters.parse_value("[0.1, 0.2]") == [0.1, 0.2]
    assert parameters.parse_value("True") is True
    assert parameters.parse_value("None") is None
    assert parameters.parse_value("code") == "code"          # a bare word stays a string
    assert parameters.parse_value("'code'") == "code"
    evil = "__import__('os').system('touch /tmp/pwned-by-landscape-cli')"
    assert parameters.parse_value(evil) == evil              # never evaluated
    assert not Path("/tmp/pwned-by-landscape-cli").exists()


def test_split_values():
    assert parameters.split_values("0.1,0.2") == [0.1, 0.2]
    assert parameters.split_values("[0.1,0.2],[0.3]") == [[0.1, 0.2], [0.3]]
    assert parameters.split_values("code, paper") == ["code", "paper"]
    assert parameters.split_values("'a,b',c") == ["a,b", "c"]
    assert parameters.split_values("0.5") == [0.5]


# ============================================================================ bad input -> exit 2
@pytest.mark.parametrize("argv, needles", [
    (["run", "figure-99"], ["no notebook draws Figure 99", "valid names:", "figure-01"]),
    (["run", "figre-5"], ["unknown notebook 'figre-5'", "did you mean 'figure-05'", "valid names:"]),
    (["run", "figure-01", "-p", "lrr", "0.1"],
     ["figure-01 has no parameter 'lrr'", "did you mean 'lr'", "valid parameters:", "masking_prob"]),
    (["run", "figure-01", "-p", "lr", "fast"], ["lr must be a number", "'fast'"]),
    (["run", "figure-01", "-p", "runs", "1.5"], ["runs must be an integer"]),
    (["run", "figure-01", "-p", "lr", "-1"], ["lr must be > 0"]),
    (["run", "figure-01", "-p", "masking_prob", "1.5"], ["masking_prob must be", "<= 1"]),
    (["run", "figure-01", "-p", "noise", "gaussian"], ["unknown noise 'gaussian'", "valid choices"]),
    (["run", "figure-01", "-p", "m", "5"], ["m must be >= d", "m=5 < d=10"]),
    (["run", "Figure 10", "-p", "m", "4", "-p", "d", "8"], ["figure-03", "m must be >= d"]),
    (["run", "theorem-1", "-p", "d", "six"], ["theorem-1: d must be an integer", "'six'"]),
    (["run", "theorem-1", "--device", "cpu"], ["theorem-1 has no 'device' parameter"]),
    (["run", "figure-01", "-p", "device", "tpu"], ["unknown device 'tpu'", "auto, cpu, cuda"]),
    (["run", "figure-01", "-p", "profile", "paper"], ["--profile"]),
    (["run", "figure-01", "-p", "lr", "0.1", "-p", "lr", "0.2"], ["given twice"]),
    (["sweep", "figure-01"], ["needs at least one -p"]),
    (["sweep", "figure-01", "-p", "m", "5,50"], ["m must be >= d", "grid point m=5"]),
    (["sweep", "figure-01", "-p", "lr", "0.1,0.1"], ["repeated values"]),
    (["sweep", "figure-01", "-p", "lr", "0.1,0.2", "--workers", "0"], ["--workers must be >= 1"]),
    (["cite", "tab99"], ["no notebook draws Table 99"]),
])
def test_bad_input_exits_2_with_a_clear_message(argv, needles, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert landscape(*argv) == runs.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("landscape: error: ")
    for needle in needles:
        assert needle in err, (needle, err)
    assert not (tmp_path / "runs").exists()  # nothing ran, nothing written


def test_malformed_command_line_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        landscape("run", "figure-01", "--profile", "huge")
    assert exc.value.code == 2
    assert "invalid choice: 'huge'" in capsys.readouterr().err


def test_console_script_reports_bad_input(tmp_path):
    exe = Path(sys.executable).with_name("landscape")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "landscape.companion.cli"]
    proc = subprocess.run([*cmd, "run", "fig5", "-p", "lrr", "1"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "figure-05 has no parameter 'lrr' (did you mean 'lr'?)" in proc.stderr


# ============================================================================ list
def test_list_shows_every_notebook_with_parameters_and_profiles(capsys):
    assert landscape("list") == 0
    out = capsys.readouterr().out
    for name in E.list_notebooks():
        assert f"\n{name} " in f"\n{out}", name
        for param in E.declared_parameters(name):
            assert f"    {param} " in out
    assert "Figure 1: NCL vs CL with one-hot latents" in out
    assert "Figure 10" in out  # the appendix section drawn by figure-03
    # parameters read from the notebook itself, profile defaults from experiments.py
    assert re.search(r"\n    runs +int = None  \(smoke 2, paper 5\)\n", out)
    assert re.search(r"\n    epochs +int = None  \(smoke 50, paper 8000\)\n", out)


def test_list_json_matches_the_notebook_source(capsys):
    assert landscape("list", "--json", "thm1", "fig1") == 0
    infos = {i["name"]: i for i in json.loads(capsys.readouterr().out)}
    assert set(infos) == {"theorem-1", "figure-01"}
    declared = E.declared_parameters("theorem-1")
    assert [p["name"] for p in infos["theorem-1"]["parameters"]] == list(declared)
    alpha = next(p for p in infos["theorem-1"]["parameters"] if p["name"] == "alpha")
    assert alpha["type"] == "float" and alpha["default"] == declared["alpha"]["default"]
    lr = next(p for p in infos["figure-01"]["parameters"] if p["name"] == "lr")
    assert lr["smoke"] == experiments.get("figure-01").defaults("smoke")["lr"]
    assert lr["paper"] == experiments.get("figure-01").defaults("paper")["lr"]
    assert infos["figure-01"]["label"] == "Figure 1"


# ============================================================================ run (real executions)
@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """``landscape run fig1 ...`` into the default folder under a temporary working directory."""
    work = tmp_path_factory.mktemp("cli-run")
    with _env(LANDSCAPE_CACHE_DIR=str(work / "cache-a")) as mp:
        mp.chdir(work)
        rc = landscape("run", "fig1", *TINY, "-p", "lr", "0.02", "--device", "cpu")
        dests = sorted((work / "runs").glob("figure-01-*"))
    return rc, work, dests


def test_run_writes_the_notebook_figures_numbers_and_provenance(first_run):
    rc, work, dests = first_run
    assert rc == 0
    assert len(dests) == 1
    dest = dests[0]
    params = {**TINY_PARAMS, "lr": 0.02, "device": "cpu"}
    assert dest.name == f"figure-01-{runs.params_hash('figure-01', 'smoke', params)}"
    names = {p.name for p in dest.iterdir()}
    assert {"figure-01.ipynb", "figure-01.png", "figure-01.pdf", "figure-01.svg",
            "key_numbers.json", "provenance.json"} <= names
    assert not [p for p in (work / "runs").iterdir() if p.name.startswith((".tmp-", "failed-"))]
    prov = json.loads((dest / "provenance.json").read_text())
    assert prov["notebook"] == "figure-01" and prov["profile"] == "smoke"
    assert prov["parameters"]["lr"] == 0.02 and prov["parameters"]["epochs"] == 4
    assert prov["seed"] == 0 and prov["resolved_parameters"]["m"] == 50
    assert prov["versions"]["landscape"] == __version__ and "torch" in prov["versions"]
    assert set(prov["git"]) == {"commit", "dirty"}
    assert prov["start"] <= prov["end"] and prov["wall_time_s"] > 0
    assert prov["command"].startswith("landscape run fig1")
    assert prov["key_numbers"] == _numbers(dest)
    nb = nbformat.read(dest / "figure-01.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "lr = 0.02" in injected[0].source


def test_run_figures_embed_provenance(first_run):
    from PIL import Image
    from pypdf import PdfReader

    dest = first_run[2][0]
    with Image.open(dest / "figure-01.png") as img:
        png = json.loads(img.text["Description"])
    pdf = json.loads(PdfReader(dest / "figure-01.pdf").metadata.subject)
    svg = (dest / "figure-01.svg").read_text()
    for record in (png, pdf):
        assert record["notebook"] == "figure-01"
        assert record["params"]["lr"] == 0.02 and record["params"]["epochs"] == 4
        assert record["git"]["commit"] and record["versions"]["landscape"] == __version__
    assert "&quot;notebook&quot;: &quot;figure-01&quot;" in svg or '"notebook": "figure-01"' in svg


def test_run_again_reuses_the_finished_folder(first_run, capsys):
    rc, work, dests = first_run
    stamp = (dests[0] / "provenance.json").stat().st_mtime_ns
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        mp.setattr(E, "execute", lambda *a, **k: pytest.fail("a finished run was re-executed"))
        assert landscape("run", "figure-01", *TINY, "-p", "lr", "0.02", "--device", "cpu") == 0
    assert "reused" in capsys.readouterr().err
    assert (dests[0] / "provenance.json").stat().st_mtime_ns == stamp


def test_two_runs_with_the_same_parameters_give_identical_key_numbers(first_run, tmp_path):
    rc, work, dests = first_run
    # another output folder and an empty training cache: everything is computed again
    with _env(LANDSCAPE_CACHE_DIR=str(tmp_path / "cache-b")):
        assert landscape("run", "figure-01", *TINY, "-p", "lr", "0.02", "--device", "cpu",
                         "--out", tmp_path / "again", "--quiet") == 0
    assert any((tmp_path / "cache-b").rglob("*"))  # the kernel trained afresh into this cache
    assert _numbers(tmp_path / "again") == _numbers(dests[0])


def test_cite_prints_bibtex_and_a_credit_for_the_run(first_run, capsys):
    rc, work, dests = first_run
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        assert landscape("cite", "Figure 1") == 0       # finds the run in runs/
    out = capsys.readouterr().out
    prov = json.loads((dests[0] / "provenance.json").read_text())
    assert "@inproceedings{pokle2022contrasting" in out
    for needle in ("Pokle, Ashwini and Tian, Jinjin and Li, Yuchen and Risteski, Andrej",
                   "Artificial Intelligence and Statistics", "volume    = {151}", "PMLR",
                   "@misc{landscape_companion", f"version      = {{{__version__}}}",
                   prov["git"]["commit"], "notebook figure-01", "seed 0", "lr=0.02",
                   prov["git"]["commit"][:12], "profile smoke"):
        assert needle in out, needle
    # --out names the folder explicitly; -p finds the default folder of those parameters
    assert landscape("cite", "figure-01", "--out", dests[0]) == 0
    assert "notebook figure-01" in capsys.readouterr().out
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        assert landscape("cite", "fig1", *TINY, "-p", "lr", "0.02", "-p", "device", "cpu") == 0
        assert f"run folder runs/{dests[0].name}" in capsys.readouterr().out
        assert landscape("cite", "fig1", "-p", "lr", "0.03") == runs.EXIT_USAGE
        assert "no run of figure-01 with these parameters" in capsys.readouterr().err


def test_cite_without_a_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert landscape("cite", "Figure 10") == 0
    out = capsys.readouterr().out
    assert "@inproceedings{pokle2022contrasting" in out and "Figure 10 (notebook figure-03)" in out
    assert landscape("cite", "fig1", "--out", tmp_path / "nothing") == runs.EXIT_USAGE
    assert "no provenance.json" in capsys.readouterr().err


def test_diverging_training_exits_non_zero_with_the_engine_message(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    rc = landscape("run", "figure-05", *TINY, "-p", "p_sparse", "0.2", "-p", "lr", "1e30",
                   "--out", "diverged", "--quiet")
    assert rc == runs.EXIT_DIVERGED
    err = capsys.readouterr().err
    assert "training diverged" in err and "lower 'lr'" in err and "epoch" in err
    assert not (tmp_path / "diverged").exists()          # no half-written destination
    failed = tmp_path / "failed-diverged"
    assert (failed / "failed-figure-05.ipynb").exists()   # the partial notebook is kept
    assert "training diverged" in (failed / "error.txt").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


# ============================================================================ failures without executing
def _fake_execute(fail: BaseException | None = None, numbers: dict | None = None):
    """Stands in for landscape.companion.execute.execute: writes what it would, then fails or not."""
    def fake(name, out_dir, parameters=None, *, profile="paper", **kwargs):
        out_dir = Path(out_dir)
        art = out_dir / name
        art.mkdir(parents=True, exist_ok=True)
        (art / f"{name}.png").write_bytes(b"partial")
        nb = nbformat.v4.new_notebook()
        if fail is not None:
            nbformat.write(nb, out_dir / f"failed-{name}.ipynb")
            if isinstance(fail, KeyboardInterrupt):
                raise fail
            raise E.NotebookExecutionError(name, out_dir / f"failed-{name}.ipynb", fail)
        nbformat.write(nb, out_dir / f"{name}.ipynb")
        (art / "key_numbers.json").write_text(json.dumps(numbers or {"x": 1.0}))
        (art / "provenance.json").write_text(json.dumps({"notebook": name, "parameters": parameters,
                                                         "profile": profile}))
        return out_dir / f"{name}.ipynb"
    return fake


class _CellError(Exception):
    def __init__(self, ename, evalue):
        super().__init__(evalue)
        self.ename, self.evalue = ename, evalue


def test_ctrl_c_during_run_leaves_no_partial_destination(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(E, "execute", _fake_execute(KeyboardInterrupt()))
    assert landscape("run", "figure-01", *TINY, "--out", "dest") == runs.EXIT_INTERRUPTED
    assert "interrupted" in capsys.readouterr().err
    assert not (tmp_path / "dest").exists()
    assert (tmp_path / "failed-dest" / "failed-figure-01.ipynb").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_ctrl_c_during_a_rerun_keeps_the_previous_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(E, "execute", _fake_execute(numbers={"x": 42.0}))
    assert landscape("run", "figure-01", *TINY, "--out", "dest", "--quiet") == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "dest").iterdir()}
    monkeypatch.setattr(E, "execute", _fake_execute(KeyboardInterrupt()))
    assert landscape("run", "figure-01", *TINY, "--out", "dest", "--force") == runs.EXIT_INTERRUPTED
    assert {p.name: p.read_bytes() for p in (tmp_path / "dest").iterdir()} == before


def test_notebook_failure_exits_1_and_keeps_the_partial_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(E, "execute", _fake_execute(_CellError("ZeroDivisionError", "division by zero")))
    assert landscape("run", "figure-01", *TINY, "--out", "dest", "--quiet") == runs.EXIT_FAILED
    err = capsys.readouterr().err
    assert "notebook figure-01 failed: ZeroDivisionError: division by zero" in err
    assert "failed-dest" in err and not (tmp_path / "dest").exists()
    assert (tmp_path / "failed-dest" / "failed-figure-01.ipynb").exists()


def test_run_refuses_to_overwrite_a_foreign_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    monkeypatch.setattr(E, "execute", _fake_execute())
    assert landscape("run", "figure-01", "--out", "mine") == runs.EXIT_USAGE
    assert "not a landscape run folder" in capsys.readouterr().err
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


class _FakeClient:
    closed = False

    def submit(self, *args, **kwargs):
        return object()

    def close(self):
        _FakeClient.closed = True


def test_ctrl_c_during_sweep_shuts_down_and_writes_nothing_partial(tmp_path, monkeypatch, capsys):
    @contextlib.contextmanager
    def fake_client(scheduler, workers):
        client = _FakeClient()
        try:
            yield client
        finally:
            client.close()

    def interrupted(futures):
        raise KeyboardInterrupt
        yield  # pragma: no cover

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(S, "_client", fake_client)
    monkeypatch.setattr(S, "_as_completed", interrupted)
    rc = landscape("sweep", "figure-01", "-p", "lr", "0.01,0.02", *TINY, "--out", "sw")
    assert rc == runs.EXIT_INTERRUPTED and _FakeClient.closed
    assert "re-run the same command to resume" in capsys.readouterr().err
    assert not (tmp_path / "sw" / "summary.csv").exists()
    assert list((tmp_path / "sw" / "points").iterdir()) == []


# ============================================================================ sweep on Dask (real)
def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_sweep_on_a_local_dask_cluster_resumes(tmp_path, monkeypatch, capsys):
    from PIL import Image

    monkeypatch.chdir(tmp_path)
    # 1-D sweep first (2 points, a line plot) ...
    assert landscape("sweep", "fig1", "-p", "masking_prob", "0.3,0.7", "-p", "lr", "0.02", *TINY,
                     "--workers", "2", "--out", "sw") == 0
    assert len(_rows(tmp_path / "sw" / "summary.csv")) == 2
    assert (tmp_path / "sw" / "sweep.png").exists()
    capsys.readouterr()
    # ... then the 2 x 2 grid in the same folder: the two finished points are skipped
    argv = ["sweep", "fig1", "-p", "masking_prob", "0.3,0.7", "-p", "lr", "0.02,0.03", *TINY,
            "--workers", "2", "--out", "sw"]
    assert landscape(*argv) == 0
    err = capsys.readouterr().err
    # (finished points are re-run only when the library or the notebook changed in between,
    # e.g. when someone edits src/landscape while the tests run; the sweep says so)
    if "out of date" not in err:
        assert "4 points, 2 already finished, 2 to run" in err
    rows = _rows(tmp_path / "sw" / "summary.csv")
    assert len(rows) == 4
    assert [(r["masking_prob"], r["lr"]) for r in rows] == [
        ("0.3", "0.02"), ("0.3", "0.03"), ("0.7", "0.02"), ("0.7", "0.03")]
    assert all(r["status"] in ("done", "reused") for r in rows)
    for r in rows:  # every key number of the point is a column
        folder = tmp_path / "sw" / r["folder"]
        assert (folder / "figure-01.ipynb").exists()
        for key, value in _numbers(folder).items():
            assert r[key] == str(value)
    for ext in ("png", "pdf", "svg"):
        assert (tmp_path / "sw" / f"sweep.{ext}").exists()
    with Image.open(tmp_path / "sw" / "sweep.png") as img:
        record = json.loads(img.text["Description"])
    assert record["notebook"] == "figure-01" and record["params"]["axes"]["lr"] == [0.02, 0.03]
    prov = json.loads((tmp_path / "sw" / "provenance.json").read_text())
    assert prov["kind"] == "sweep" and len(prov["points"]) == 4 and "git" in prov
    # a third time: nothing to run, no cluster started
    stamps = {p.name: (p / "provenance.json").stat().st_mtime_ns
              for p in (tmp_path / "sw" / "points").iterdir()}
    started = []
    real_client = S._client
    monkeypatch.setattr(S, "_client", lambda *a: started.append(a) or real_client(*a))
    assert landscape(*argv) == 0
    err = capsys.readouterr().err
    if "out of date" not in err:
        assert "4 points, 4 already finished, 0 to run" in err and not started
        assert stamps == {p.name: (p / "provenance.json").stat().st_mtime_ns
                          for p in (tmp_path / "sw" / "points").iterdir()}


def test_a_sweep_point_runs_without_the_dask_workers_malloc_setting(monkeypatch, tmp_path):
    """Dask's nanny puts MALLOC_TRIM_THRESHOLD_ in its workers' environment; a point's kernel
    (started by run_one) must not inherit it (it slows contrastive training 2.3 times), gets one
    thread per worker, and the worker's environment is restored afterwards."""
    import os

    seen = {}

    def fake_run_one(*args, **kwargs):
        seen.update({k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")})
        raise RuntimeError("stop here")

    monkeypatch.setattr(S, "run_one", fake_run_one)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    out = S.run_point("figure-01", {}, "smoke", str(tmp_path / "p"))
    assert out["status"] == "failed" and "stop here" in out["message"]
    assert seen == {"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"}
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536" and "OMP_NUM_THREADS" not in os.environ


def test_sweep_points_share_key_names_and_plot_values(tmp_path):
    """A Pr(sparse) sweep: each point's keys lose its own condition, and the heat map finds
    every point (p_sparse [0.1] in a point equals 0.1 on the axis)."""
    from landscape.companion import sweep

    assert sweep.own_condition_keys({"ncl_ps0p1_min": 0.5, "ncl_ps0p3_min": 0.9, "claim": True},
                                    {"p_sparse": [0.1], "masking_prob": 0.5}) == \
        {"ncl_min": 0.5, "ncl_ps0p3_min": 0.9, "claim": True}
    rows = [{"params": {"p_sparse": [ps], "masking_prob": mp}, "key_numbers": {"ncl_min": ps + mp}}
            for ps in (0.1, 0.3) for mp in (0.5, 0.7)]
    assert sweep._value(rows, {"p_sparse": 0.3, "masking_prob": 0.7}, "ncl_min") == pytest.approx(1.0)
    assert sweep._value(rows, {"p_sparse": [0.1], "masking_prob": 0.5}, "ncl_min") == pytest.approx(0.6)


# ============================================================================ integrity of run folders
def _tamper(dest, how):
    if how == "garbage key numbers":
        (dest / "key_numbers.json").write_text("{not json")
    elif how == "edited key numbers":
        kn = json.loads((dest / "key_numbers.json").read_text())
        kn[next(iter(kn))] = 0.123456
        (dest / "key_numbers.json").write_text(json.dumps(kn))
    elif how == "missing notebook":
        (dest / "figure-01.ipynb").unlink()
    elif how == "malformed provenance":
        (dest / "provenance.json").write_text("[1, 2")


@pytest.mark.parametrize("how", ["garbage key numbers", "edited key numbers", "missing notebook",
                                 "malformed provenance"])
def test_a_tampered_run_folder_is_not_reused(first_run, tmp_path, how):
    """A folder whose files do not verify is executed again, never reused with its numbers."""
    import shutil

    rc, work, dests = first_run
    dest = tmp_path / "copy"
    shutil.copytree(dests[0], dest)
    params = {**TINY_PARAMS, "lr": 0.02, "device": "cpu"}
    digest = runs.run_hash("figure-01", "smoke", params)
    assert runs.verify_run(dest, digest) is None
    _tamper(dest, how)
    assert runs.verify_run(dest, digest) is not None
    assert not runs.is_complete(dest, digest)


def test_cite_names_a_malformed_provenance_file(first_run, tmp_path, capsys):
    import shutil

    dest = tmp_path / "bad"
    shutil.copytree(first_run[2][0], dest)
    (dest / "provenance.json").write_text('"just a string"')
    assert landscape("cite", "fig1", "--out", dest) == 2
    err = capsys.readouterr().err
    assert str(dest / "provenance.json") in err and "not a readable provenance record" in err


# ============================================================================ rough edges (#16, class 8)
def test_sigterm_is_handled_as_ctrl_c(tmp_path, monkeypatch, capsys):
    """A run ended by SIGTERM sets its partial notebook aside and leaves no hidden folder."""
    import os
    import signal

    def terminated(name, out_dir, parameters=None, **kwargs):
        _fake_execute()(name, out_dir, parameters, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the notebook "runs"
        pytest.fail("SIGTERM did not stop the run")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(E, "execute", terminated)
    assert landscape("run", "figure-01", *TINY, "--out", "dest") == runs.EXIT_INTERRUPTED
    assert "terminated (SIGTERM)" in capsys.readouterr().err
    assert not (tmp_path / "dest").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert signal.getsignal(signal.SIGTERM) is not cli._raise_terminated  # restored afterwards


def test_failed_folders_are_readable_by_others(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(E, "execute", _fake_execute(_CellError("ValueError", "boom")))
    assert landscape("run", "figure-01", *TINY, "--out", "dest", "--quiet") == runs.EXIT_FAILED
    assert (tmp_path / "failed-dest").stat().st_mode & 0o777 == 0o755


def test_folders_left_by_killed_runs_are_removed(tmp_path, monkeypatch, capsys):
    import os

    monkeypatch.chdir(tmp_path)
    dead = tmp_path / ".tmp-999999999-dest-abcd1234"      # no such process
    old = tmp_path / ".old-999999999-dest-0123abcd"
    alive = tmp_path / f".tmp-{os.getppid()}-other-abcd1234"  # a running process: kept
    for folder in (dead, old, alive):
        folder.mkdir()
    monkeypatch.setattr(E, "execute", _fake_execute())
    assert landscape("run", "figure-01", *TINY, "--out", "dest") == 0
    assert not dead.exists() and not old.exists() and alive.exists()
    assert f"removed {dead}" in capsys.readouterr().err


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_whose_provenance_was_deleted_is_executed_again(tmp_path, monkeypatch, force):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(E, "execute", _fake_execute(numbers={"x": 1.0}))
    assert landscape("run", "figure-01", *TINY, "--out", "dest", "--quiet") == 0
    (tmp_path / "dest" / "provenance.json").unlink()
    monkeypatch.setattr(E, "execute", _fake_execute(numbers={"x": 2.0}))
    assert landscape("run", "figure-01", *TINY, "--out", "dest", "--quiet", *(["--force"] if force else [])) == 0
    assert _numbers(tmp_path / "dest") == {"x": 2.0}
    digest = runs.run_hash("figure-01", "smoke", parameters.validate_parameters("figure-01", "smoke", TINY_PARAMS))
    assert runs.verify_run(tmp_path / "dest", digest) is None


def test_a_scheduler_that_is_no_dask_scheduler_is_a_clear_error(tmp_path, monkeypatch, capsys):
    import distributed

    def no_scheduler(*args, **kwargs):
        raise OSError("Timed out trying to connect to tcp://10.0.0.1:8786 after 10 s")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(S, "check_scheduler", lambda address: None)  # something answers the port
    monkeypatch.setattr(distributed, "Client", no_scheduler)
    rc = landscape("sweep", "fig1", "-p", "lr", "0.01,0.02", *TINY, "--scheduler", "tcp://10.0.0.1:8786",
                   "--out", "sw")
    assert rc == runs.EXIT_USAGE
    err = capsys.readouterr().err
    assert "cannot connect to the Dask scheduler at tcp://10.0.0.1:8786" in err and "Traceback" not in err
    assert not (tmp_path / "sw").exists()


class _SyncClient:
    """A Dask client that runs each submitted point at once, in this process."""

    def submit(self, fn, *args, pure=True):
        class Done:
            def __init__(self, value):
                self.value = value

            def result(self):
                return self.value
        return Done(fn(*args))

    def close(self):
        pass


def test_a_tampered_sweep_point_is_run_again(tmp_path, monkeypatch):
    @contextlib.contextmanager
    def sync_client(scheduler, workers):
        yield _SyncClient()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(S, "_client", sync_client)
    monkeypatch.setattr(S, "_as_completed", lambda futures: iter(futures))
    monkeypatch.setattr(E, "execute", _fake_execute(numbers={"x": 1.0}))
    argv = ["sweep", "figure-01", "-p", "lr", "0.01,0.02", *TINY, "--out", "sw"]
    assert landscape(*argv) == 0
    points = sorted((tmp_path / "sw" / "points").iterdir())
    (points[0] / "key_numbers.json").write_text(json.dumps({"x": 99.0}))   # edited by hand
    assert landscape(*argv) == 0
    rows = _rows(tmp_path / "sw" / "summary.csv")
    assert [r["status"] for r in rows] == ["done", "reused"]
    assert [r["x"] for r in rows] == ["1.0", "1.0"]


def test_a_run_that_will_take_hours_says_so_before_it_starts(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANDSCAPE_CACHE_DIR", str(tmp_path / "cache"))
    started = []
    fake = _fake_execute()
    monkeypatch.setattr(E, "execute", lambda *a, **k: started.append(capsys.readouterr().err) or fake(*a, **k))
    assert landscape("run", "figure-02", "-p", "epochs", "1000000", "--out", "long") == 0
    warning = started[0]
    assert "[landscape] figure-02: warning: 4 of 4 trainings are neither cached nor shipped" in warning
    assert re.search(r"about \d+\.\d h and \d+ MB of memory", warning)
    assert landscape("run", "figure-02", "-p", "epochs", "41", "--out", "short") == 0
    assert "warning" not in started[1]


def test_a_skipped_check_of_the_code_readings_is_null_not_false(tmp_path, monkeypatch):
    """``reading_runs 0`` skips the check with the public code's readings: its key numbers are
    null (or absent), never a verdict such as False."""
    monkeypatch.chdir(tmp_path)
    with _env(LANDSCAPE_CACHE_DIR=str(tmp_path / "cache")):
        assert landscape("run", "fig1", *TINY, "-p", "reading_runs", "0", "--device", "cpu",
                         "--out", "r0", "--quiet") == 0
    numbers = _numbers(tmp_path / "r0")
    code = {k: v for k, v in numbers.items() if k.startswith("code_")}
    assert code and all(v is None for v in code.values()), code


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2]", b'{"metadata": [1]}',
                                     b'{"metadata": {"landscape": {"hash": 5}}}', b"\xff\xfe garbage"])
def test_a_damaged_executed_notebook_is_executed_again(tmp_path, content):
    """The book's executed notebooks record the hash of what produced them; a damaged one
    records none, so it is never taken as up to date."""
    path = tmp_path / "figure-01.ipynb"
    path.write_bytes(content)
    assert E._stored_hash(path) is None


def test_a_sweep_record_names_the_tree_it_started_from_when_that_changed(tmp_path, monkeypatch):
    """A long sweep records the commit at its end, and the one it started from when the tree
    changed meanwhile (not when it did not)."""
    from landscape.companion import provenance, sweep
    start = {"commit": "a" * 40, "dirty": False}
    monkeypatch.setattr(provenance, "git_state", lambda: {"commit": "b" * 40, "dirty": False})
    args = ("figure-01", "smoke", {"lr": [0.02]}, [], 1, None, "landscape sweep ...",
            sweep._dt.datetime.now(sweep._dt.timezone.utc), 1.0, None)
    sweep._write_provenance(tmp_path, *args, start)
    record = json.loads((tmp_path / "provenance.json").read_text())
    assert record["git"]["commit"] == "b" * 40 and record["git_at_start"] == start
    sweep._write_provenance(tmp_path, *args, {"commit": "b" * 40, "dirty": False})
    assert "git_at_start" not in json.loads((tmp_path / "provenance.json").read_text())
