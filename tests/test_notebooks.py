"""The notebook pipeline: sources, goldens, table of contents, execution and nbval's sensitivity.

The goldens themselves (``tests/goldens/*.ipynb``, smoke profile) are re-executed and compared by
nbval when pytest runs with ``--nbval-lax --nbval-current-env`` (``make test``); this file checks
that the goldens exist and are current, that the execution machinery does what the book relies
on, and that nbval fails when a result-changing bug is planted in the library.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

import landscape.companion.execute as E
from landscape.companion import page as N

ROOT = Path(__file__).resolve().parents[1]
GOLDENS = ROOT / "tests" / "goldens"
NOTEBOOKS = E.list_notebooks()
GOLDEN_NAMES = sorted(p.stem for p in GOLDENS.glob("*.ipynb"))
CHECK_TAG = "nbval-check-output"


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _golden(name: str):
    return nbformat.read(GOLDENS / f"{name}.ipynb", as_version=4)


# ----------------------------------------------------------------------------- sources and goldens
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_parameters_cell_with_profile(name):
    nb = E.read_source(name)
    assert any("parameters" in _tags(c) for c in nb.cells), f"{name}: no cell tagged 'parameters'"
    declared = E.declared_parameters(name)
    assert "profile" in declared, f"{name}: its parameters cell must declare `profile = ...`"
    assert declared["profile"]["default"].strip("\"'") in E.PROFILES, declared["profile"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_ends_with_checked_key_numbers(name):
    """The checked key numbers are the last code cell, or the last but one before the cell that
    builds the page's banner from its verdicts (``.banner()``, ``theory_banner``)."""
    code = [c for c in E.read_source(name).cells if c.cell_type == "code"]
    last = code[-2] if code and "banner(" in code[-1].source else code[-1]
    assert CHECK_TAG in _tags(last), f"{name}: the key-numbers cell must be tagged {CHECK_TAG!r}"
    assert "key_numbers(" in last.source, f"{name}: the last code cell must call key_numbers(...)"
    assert sum(CHECK_TAG in _tags(c) for c in code) == 1, f"{name}: one checked cell only"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_in_toc(name):
    assert name in E.toc_notebooks(), (
        f"{name} is not in _toc.yml (add `- file: book/executed/{name}`); "
        "make book executes only the notebooks listed there")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_current_golden(name):
    path = GOLDENS / f"{name}.ipynb"
    assert path.exists(), f"no golden for {name}: run `make goldens`"
    golden = _golden(name)
    stored, current = E.source_code_cells(golden), E.source_code_cells(E.read_source(name))
    if stored != current:
        first = next((i for i, (a, b) in enumerate(zip(stored, current)) if a != b),
                     min(len(stored), len(current)))
        pytest.fail(f"tests/goldens/{name}.ipynb is stale: its code cell {first} differs from "
                    f"notebooks/{name}.py ({len(stored)} vs {len(current)} code cells); "
                    "run `make goldens`", pytrace=False)
    meta = golden.metadata.get(E.METADATA_KEY, {})
    assert meta.get("profile") == E.GOLDEN_PROFILE, f"{name}: golden must use the smoke profile"
    checked = [c for c in golden.cells if c.cell_type == "code" and CHECK_TAG in _tags(c)]
    assert checked and any(o.get("output_type") == "stream" for c in checked for o in c.outputs), (
        f"{name}: the golden's checked cell has no printed output")


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_has_source_and_no_volatile_metadata(name):
    assert name in NOTEBOOKS, f"tests/goldens/{name}.ipynb has no notebooks/{name}.py"
    golden = _golden(name)
    for cell in golden.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata, name
    assert "start_time" not in golden.metadata.get("papermill", {}), name
    injected = [c for c in golden.cells if E.INJECTED_TAG in _tags(c)]
    assert injected and E.BOOK_HIDE_TAG in _tags(injected[0]), name


def test_toc_lists_existing_files():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["format"] == "jb-book"
    for file in E._toc_files(toc):
        if file.startswith(E.EXECUTED_PREFIX):
            name = file[len(E.EXECUTED_PREFIX):]
            assert name in NOTEBOOKS, f"_toc.yml lists {file} but there is no notebooks/{name}.py"
        else:
            assert any((ROOT / f"{file}{ext}").exists() for ext in ("", ".md", ".ipynb")), file


def test_config_does_not_execute_notebooks():
    import yaml

    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["execute"]["execute_notebooks"] == "off"
    assert cfg["only_build_toc_files"] is True
    assert "references.bib" in cfg["bibtex_bibfiles"]


# ----------------------------------------------------------------------------- names
def test_unknown_notebook_name_suggests_closest(tmp_path, monkeypatch):
    (tmp_path / "figure-01.py").write_text("# %%\n")
    (tmp_path / "theorem-1.py").write_text("# %%\n")
    monkeypatch.setattr(E, "NOTEBOOK_DIR", tmp_path)
    assert E.list_notebooks() == ["figure-01", "theorem-1"]
    assert E.notebook_path("figure-01") == tmp_path / "figure-01.py"
    assert E.notebook_path("notebooks/figure-01.py") == tmp_path / "figure-01.py"
    with pytest.raises(ValueError, match=r"did you mean 'figure-01'.*valid names: figure-01, theorem-1"):
        E.notebook_path("figure-1")
    with pytest.raises(ValueError, match="unknown profile 'smok'.*did you mean 'smoke'"):
        E.execute("figure-01", tmp_path / "out", profile="smok")


def test_toc_notebooks_reads_executed_entries(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(textwrap.dedent("""\
        format: jb-book
        root: book/intro
        parts:
          - caption: Theorems
            chapters:
              - file: book/executed/theorem-1
              - file: book/executed/theorem-2.ipynb
          - caption: Experiments
            chapters:
              - file: book/paper-vs-code
              - file: book/executed/figure-01
                sections:
                  - file: book/executed/figure-11
        """))
    assert E.toc_notebooks(toc) == ["theorem-1", "theorem-2", "figure-01", "figure-11"]


# ----------------------------------------------------------------------------- helpers in notebooks
def test_key_numbers_prints_glues_and_records(tmp_path, monkeypatch, capsys):
    import numpy as np

    glued = []
    monkeypatch.setattr(N, "glue", lambda k, v: glued.append((k, v)))
    monkeypatch.setenv(N.OUTPUT_DIR_ENV, str(tmp_path))
    N.key_numbers({"b": np.float64(0.87123), "a": 3, "flag": np.bool_(True), "neg_zero": -0.0001,
                   "label": "x"}, digits=3)
    assert capsys.readouterr().out == "b: 0.871\na: 3\nflag: True\nneg_zero: 0.000\nlabel: x\n"
    assert glued == [("b", 0.871), ("a", 3), ("flag", "yes"), ("neg_zero", 0.0), ("label", "x")]  # prose: yes / no
    assert type(glued[0][1]) is float and type(glued[2][1]) is str
    record = json.loads((tmp_path / "key_numbers.json").read_text())
    assert record == {"b": 0.87123, "a": 3, "flag": True, "neg_zero": -0.0001, "label": "x"}


def test_verdict(capsys):
    assert N.verdict("NCL recovers M", False, "min max-cos 0.31") == \
        "CLAIM NCL recovers M: DOES NOT HOLD (min max-cos 0.31)"
    assert N.verdict("CL recovers M", True) == "CLAIM CL recovers M: HOLDS"
    assert capsys.readouterr().out.splitlines() == [
        "CLAIM NCL recovers M: DOES NOT HOLD (min max-cos 0.31)", "CLAIM CL recovers M: HOLDS"]


def test_save_figure_embeds_provenance(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image
    from pypdf import PdfReader

    monkeypatch.setenv(N.OUTPUT_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(N.NOTEBOOK_ENV, "figure-xx")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    paths = N.save_figure(fig, "fig-test", params={"p": 50}, caption="A caption")
    plt.close(fig)
    assert paths == {fmt: tmp_path / f"fig-test.{fmt}" for fmt in ("png", "pdf", "svg")}
    png = json.loads(Image.open(paths["png"]).info["Description"])
    pdf = json.loads(PdfReader(paths["pdf"]).metadata["/Subject"])
    svg_text = paths["svg"].read_text()
    for record in (png, pdf):
        assert record["notebook"] == "figure-xx" and record["figure"] == "fig-test"
        assert record["params"] == {"p": 50} and record["caption"] == "A caption"
        assert "versions" in record and "git" in record
    assert "<dc:description>" in svg_text and "figure-xx" in svg_text
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"
    with pytest.raises(ValueError):
        N.save_figure(fig, "../escape")


def test_save_figure_defaults_to_figures_dir(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.delenv(N.OUTPUT_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    fig = plt.figure()
    paths = N.save_figure(fig, "plain")
    plt.close(fig)
    assert paths["png"] == tmp_path / "figures" / "plain.png" and paths["png"].exists()


# ----------------------------------------------------------------------------- execution
TOY = '''\
# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Toy

# %% tags=["parameters"]
profile = "paper"  # smoke | paper
scale = 2  # a number
fail = False  # raise an error

# %%
import os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from landscape.companion.page import key_numbers, save_figure
assert not fail, "asked to fail"
fig = plt.figure()
save_figure(fig, "toy-figure", {"scale": scale})

# %% tags=["nbval-check-output"]
key_numbers({"value": scale * 1.5, "profile": profile, "cwd_is_output": os.getcwd() == os.environ["LANDSCAPE_OUTPUT_DIR"]})
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    (nbdir / "toy.py").write_text(TOY)
    monkeypatch.setattr(E, "NOTEBOOK_DIR", nbdir)
    # the library is not what these tests vary (and may be edited while they run)
    monkeypatch.setattr(E, "library_hash", lambda *a, **k: "library")
    monkeypatch.setattr(E, "data_hash", lambda *a, **k: "data")
    return tmp_path


def _printed(nb) -> str:
    cell = [c for c in nb.cells if CHECK_TAG in _tags(c)][0]
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def test_execute_writes_notebook_artefacts_and_reuses(toy):
    out = toy / "executed"
    logs = []
    path = E.execute("toy", out, {"scale": 3}, profile="smoke", kernel_name="python3", log=logs.append)
    assert path == out / "toy.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert _printed(nb) == "value: 4.50\nprofile: smoke\ncwd_is_output: True\n"
    injected = [c for c in nb.cells if E.INJECTED_TAG in _tags(c)]
    assert len(injected) == 1 and E.BOOK_HIDE_TAG in _tags(injected[0])
    assert nb.metadata.landscape["parameters"] == {"scale": 3, "profile": "smoke"}
    artefacts = out / "toy"
    assert {p.name for p in artefacts.iterdir()} >= {
        "toy-figure.png", "toy-figure.pdf", "toy-figure.svg", "key_numbers.json", "provenance.json"}
    prov = json.loads((artefacts / "provenance.json").read_text())
    assert prov["notebook"] == "toy" and prov["profile"] == "smoke"
    assert prov["parameters"] == {"scale": 3, "profile": "smoke"} and prov["wall_time_s"] > 0
    assert json.loads((artefacts / "key_numbers.json").read_text())["value"] == 4.5
    assert not list(out.glob(".*")), "temporary files left behind"

    # same source, parameters and library: not executed again
    mtime = path.stat().st_mtime_ns
    E.execute("toy", out, {"scale": 3}, profile="smoke", kernel_name="python3", log=logs.append)
    assert path.stat().st_mtime_ns == mtime and "up to date" in logs[-1]
    # a different parameter, profile or source changes the hash
    h = E.content_hash("toy", {"scale": 3, "profile": "smoke", "__profile__": "smoke"})
    assert h != E.content_hash("toy", {"scale": 4, "profile": "smoke", "__profile__": "smoke"})
    assert h != E.content_hash("toy", {"scale": 3, "profile": "paper", "__profile__": "paper"})
    (E.NOTEBOOK_DIR / "toy.py").write_text(TOY + "\n# %%\n1\n")
    assert h != E.content_hash("toy", {"scale": 3, "profile": "smoke", "__profile__": "smoke"})

    # goldens: stripped of run-to-run metadata, stderr dropped
    golden = E.strip_volatile(nb)
    assert "start_time" not in golden.metadata.papermill
    assert "hash" not in golden.metadata.landscape
    assert all("papermill" not in c.metadata for c in golden.cells)
    assert _printed(golden) == _printed(nb)
    assert [c.get("id") for c in golden.cells] == [f"cell-{i}" for i in range(len(nb.cells))]  # same bytes again


def test_execute_failure_keeps_partial_notebook(toy):
    out = toy / "executed"
    with pytest.raises(E.NotebookExecutionError, match="failed-toy.ipynb") as info:
        E.execute("toy", out, {"fail": True}, profile="smoke", kernel_name="python3", log=lambda *_: None)
    assert info.value.failed_path == out / "failed-toy.ipynb" and info.value.failed_path.exists()
    assert not (out / "toy.ipynb").exists()
    assert "asked to fail" in info.value.failed_path.read_text()


def test_execute_rejects_unknown_parameter(toy):
    with pytest.raises(ValueError, match="no parameter 'scal'.*did you mean 'scale'"):
        E.execute("toy", toy / "out", {"scal": 1}, profile="smoke")


# ----------------------------------------------------------------------------- nbval sensitivity
FLIP = '''

# --- appended by tests/test_notebooks.py: every loss returns its negative -------------------
def _landscape_flip(f):
    def flipped(*args, **kwargs):
        return -f(*args, **kwargs)
    flipped.__name__ = f.__name__
    return flipped


for _name in ("ncl_normalized", "ncl_inner", "nt_xent", "nt_xent_reference", "simsiam"):
    if _name in globals():
        globals()[_name] = _landscape_flip(globals()[_name])
'''
TRAINING_HINTS = ("train(", "cached_train", "run_experiment", "experiments.", "from landscape.experiments")


def _training_golden() -> str | None:
    """A golden whose notebook trains a model (so that its key numbers depend on the losses)."""
    chosen = os.environ.get("LANDSCAPE_SENSITIVITY_NOTEBOOK")
    if chosen:
        return chosen
    for name in GOLDEN_NAMES:
        code = "\n".join(E.source_code_cells(_golden(name)))
        if any(h in code for h in TRAINING_HINTS):
            return name
    return None


def _nbval(golden: Path, library: Path, tmp: Path) -> subprocess.CompletedProcess:
    """Run nbval on a copy of ``golden`` with ``library`` (a copy of src/) first on the path."""
    work = tmp / "work"
    work.mkdir()
    shutil.copy(golden, work / golden.name)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(library), *filter(None, [env.get("PYTHONPATH")])])
    env["LANDSCAPE_CACHE_DIR"] = str(tmp / "cache")
    env["LANDSCAPE_OUTPUT_DIR"] = str(tmp / "outputs")
    where = subprocess.run([sys.executable, "-c", "import landscape; print(landscape.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).resolve().is_relative_to(library.resolve()), where
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-vv", "--nbval-lax",
         "--nbval-current-env", "--rootdir", str(work), str(work / golden.name)],
        cwd=work, env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def training_golden():
    name = _training_golden()
    if name is None:
        pytest.skip("no golden notebook trains a model yet")
    return GOLDENS / f"{name}.ipynb"


@pytest.mark.parametrize("flip", [False, True], ids=["unmodified-passes", "flipped-loss-fails"])
def test_nbval_catches_a_flipped_loss(training_golden, flip, tmp_path):
    library = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "landscape", library / "landscape",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if flip:
        with open(library / "landscape" / "losses.py", "a") as fh:
            fh.write(FLIP)
    result = _nbval(training_golden, library, tmp_path)
    report = result.stdout[-4000:] + result.stderr[-2000:]
    if flip:
        assert result.returncode == 1, f"nbval did not catch the flipped loss:\n{report}"
        # a differing output, not a crash: nbval's own words for a mismatch of the checked cell's
        # printed key numbers (not "Cell execution caused an exception")
        assert "Cell outputs differ" in result.stdout and "mismatch 'stdout'" in result.stdout, report
        assert "caused an exception" not in result.stdout, report
    else:
        assert result.returncode == 0, f"nbval fails on the unmodified library:\n{report}"


def test_parse_parameters_reads_comments_with_equals_signs():
    src = textwrap.dedent('''\
        profile = "smoke"  # str: "smoke" or "paper"
        p_sparse = None  # list[float]: Pr(z_i = +-1) values [None: the profile's value]
        m: int = 50  # neurons; must be >= d
        lr = 0.025
        x, y = 1, 2
        ''')
    params = E.parse_parameters(src)
    assert list(params) == ["profile", "p_sparse", "m", "lr"]
    assert params["p_sparse"]["type"] == "list[float]" and params["p_sparse"]["default"] == "None"
    assert params["profile"]["default"] == '"smoke"' and params["profile"]["type"] == "str"
    assert params["m"]["help"] == "neurons; must be >= d" and params["lr"]["type"] == "float"
