"""Disk cache and resumable checkpoints."""
import os

import numpy as np
import torch
import pytest

from landscape import cache
from landscape.config import TrainConfig
from landscape.train import Engine, train

CFGS = [TrainConfig(n=100, batch_size=40, epochs=8, log_every=2, seed=s) for s in range(2)]


@pytest.fixture(autouse=True)
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDSCAPE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("LANDSCAPE_SHIPPED_DIR", str(tmp_path / "shipped"))
    return tmp_path


def test_second_call_reads_the_cache(tmp_cache):
    first = cache.cached_train(CFGS, progress=False)
    assert "cached" not in first.extra
    second = cache.cached_train(CFGS, progress=False)
    assert second.extra["cached"].startswith(str(tmp_cache))
    np.testing.assert_allclose(second.maxcos, first.maxcos, atol=1e-7)
    assert [c.to_dict() for c in second.configs] == [c.to_dict() for c in first.configs]
    assert not list(tmp_cache.glob("*.tmp")) and not list(tmp_cache.glob("*.partial.pt"))


def test_interrupted_run_resumes_to_the_same_numbers(tmp_cache, monkeypatch):
    reference = train(CFGS)
    original = Engine.run_epoch

    def interrupted(self):
        if self.epoch == 5:
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(Engine, "run_epoch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.cached_train(CFGS, progress=False, checkpoint_every_s=0.0)
    assert list(tmp_cache.glob("*.partial.pt")) and not list(tmp_cache.glob("*.npz"))
    partial = next(tmp_cache.glob("*.partial.pt"))
    state = torch.load(partial, weights_only=False)
    assert state["wall_s"] > 0                       # the checkpoint records the time spent so far
    state["wall_s"] = 1e6                            # ... and the resumed result counts it
    torch.save(state, partial)
    monkeypatch.setattr(Engine, "run_epoch", original)
    resumed = cache.cached_train(CFGS, progress=False, checkpoint_every_s=0.0)
    assert 1e6 < resumed.wall_s < 1e6 + 600
    np.testing.assert_allclose(resumed.maxcos, reference.maxcos, atol=1e-7)
    np.testing.assert_allclose(resumed.loss[:, 1:], reference.loss[:, 1:], rtol=1e-6)
    assert not list(tmp_cache.glob("*.partial.pt"))


def test_find_cached_never_trains(tmp_cache):
    assert cache.find_cached(CFGS) is None
    assert not list(tmp_cache.glob("*"))
    trained = cache.cached_train(CFGS, progress=False)
    found = cache.find_cached(CFGS)
    np.testing.assert_allclose(found.maxcos, trained.maxcos, atol=1e-7)


def test_the_contrastive_key_names_the_kernel_that_runs(monkeypatch):
    """The compiled CPU kernel and the tiled PyTorch form differ in the last bits: own keys."""
    dev = torch.device("cpu")
    ncl, cl = [TrainConfig(method="ncl")], [TrainConfig(method="cl")]
    before = cache.run_key(ncl, dev, torch.float32), cache.run_key(cl, dev, torch.float32)
    monkeypatch.setattr(cache, "nt_xent_kernel", lambda device, normalize=True: "tiled")
    after = cache.run_key(ncl, dev, torch.float32), cache.run_key(cl, dev, torch.float32)
    assert after[0] == before[0] and after[1] != before[1]


def test_a_method_kernel_version_changes_only_that_methods_keys(monkeypatch):
    dev = torch.device("cpu")
    ncl, cl = [TrainConfig(method="ncl")], [TrainConfig(method="cl")]
    before = cache.run_key(ncl, dev, torch.float32), cache.run_key(cl, dev, torch.float32)
    monkeypatch.setitem(cache.METHOD_VERSIONS, "cl", "test")
    after = cache.run_key(ncl, dev, torch.float32), cache.run_key(cl, dev, torch.float32)
    assert after[0] == before[0] and after[1] != before[1]


# ----------------------------------------------------------------------------- integrity
def _entry(tmp_cache):
    cache.cached_train(CFGS, progress=False)
    (path,) = tmp_cache.glob("*.npz")
    return path


def _retrains(tmp_cache, path, match):
    with pytest.warns(UserWarning, match=match) as record:
        again = cache.cached_train(CFGS, progress=False)
    assert str(path) in str(record[0].message)
    assert "cached" not in again.extra                     # trained again, not reused
    assert (path.parent / (path.name + ".corrupt")).exists()
    assert cache.load_result(path, CFGS, path.stem).configs == CFGS   # a verified entry again
    return again


@pytest.mark.parametrize("damage", ["truncated", "empty", "random bytes"])
def test_an_unreadable_cache_entry_is_set_aside_and_trained_again(tmp_cache, damage):
    path = _entry(tmp_cache)
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 2], "empty": b"",
                      "random bytes": np.random.default_rng(0).bytes(4096)}[damage])
    with pytest.raises(cache.CorruptResult, match=str(path)):
        cache.load_result(path)
    _retrains(tmp_cache, path, "unreadable")


def test_edited_numbers_fail_the_checksum(tmp_cache):
    path = _entry(tmp_cache)
    with np.load(path) as z:
        arrays = {n: z[n] for n in z.files}
    arrays["maxcos"] = arrays["maxcos"] + np.float32(0.01)
    np.savez_compressed(path, **arrays)
    _retrains(tmp_cache, path, "checksum mismatch")


def test_another_models_result_under_this_key_is_not_reused(tmp_cache):
    path = _entry(tmp_cache)
    other = [c.replace(lr=0.05) for c in CFGS]
    cache.cached_train(other, progress=False)
    (other_path,) = [p for p in tmp_cache.glob("*.npz") if p != path]
    path.write_bytes(other_path.read_bytes())              # a valid file, of other configurations
    _retrains(tmp_cache, path, "stored under key")


def test_a_stored_result_without_a_checksum_is_not_trusted(tmp_cache):
    path = _entry(tmp_cache)
    with np.load(path) as z:
        arrays = {n: z[n] for n in z.files if n != "checksum"}
    np.savez_compressed(path, **arrays)
    _retrains(tmp_cache, path, "missing checksum")


def test_a_corrupt_shipped_result_is_skipped_not_moved(tmp_cache, monkeypatch):
    shipped = tmp_cache / "shipped"
    shipped.mkdir()
    key = cache.run_key(CFGS, torch.device("cpu"), torch.float32)
    (shipped / f"{key}.npz").write_bytes(b"not a result")
    with pytest.warns(UserWarning, match="not used"):
        assert cache.find_cached(CFGS, device="cpu") is None
    assert (shipped / f"{key}.npz").exists()


def test_an_unreadable_checkpoint_restarts_training(tmp_cache):
    key = cache.run_key(CFGS, torch.device("cpu"), torch.float32)
    (tmp_cache / f"{key}.partial.pt").write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="unreadable"):
        result = cache.cached_train(CFGS, device="cpu", progress=False)
    np.testing.assert_array_equal(result.maxcos, as_stored_reference())


def as_stored_reference():
    return cache.as_stored(train(CFGS)).maxcos


def test_fresh_and_cached_results_give_identical_numbers(tmp_cache):
    """The same call gives bit-identical numbers whether it trained or read the cache."""
    fresh = cache.cached_train(CFGS, progress=False)
    cached = cache.cached_train(CFGS, progress=False)
    assert "cached" in cached.extra
    for name in ("loss", "maxcos", "final_weights"):
        np.testing.assert_array_equal(getattr(fresh, name), getattr(cached, name))
        assert getattr(fresh, name).dtype == getattr(cached, name).dtype
    uncached = cache.cached_train(CFGS, progress=False, use_cache=False)
    np.testing.assert_array_equal(uncached.maxcos, cached.maxcos)


def test_a_shipped_contrastive_result_serves_a_machine_without_the_compiled_kernel(tmp_cache, monkeypatch):
    cfgs = [TrainConfig(method="cl", n=40, batch_size=20, epochs=2, log_every=1)]
    shipped = tmp_cache / "shipped"
    result = train(cfgs)
    cpp_key = cache.run_key(cfgs, torch.device("cpu"), torch.float32, kernel="cpp")
    cache.save_result(result, shipped / f"{cpp_key}.npz", cpp_key)
    monkeypatch.setattr(cache, "nt_xent_kernel", lambda device, normalize=True: "tiled")
    found = cache.find_cached(cfgs, device="cpu")
    assert found is not None and "another NT-Xent kernel" in found.extra["kernel"]


def test_every_shipped_result_verifies():
    from pathlib import Path

    shipped = Path(__file__).resolve().parents[1] / "results" / "runs"
    files = sorted(shipped.glob("*.npz"))
    assert files
    for path in files:
        cache.load_result(path, key=path.stem)


# ============================================================================ a machine without a compiler
def _paper_calls() -> list[tuple[str, list]]:
    """Every batched training call of the book's pages at paper scale, named by its page."""
    from landscape import experiments

    names = list(experiments.EXPERIMENTS) + ["paper-vs-code"]
    return [(name, cfgs) for name in names for cfgs in experiments.paper_runs(name)]


def test_a_fresh_clone_without_a_compiler_builds_the_paper_book_from_shipped_results(monkeypatch, tmp_path):
    """No C++ compiler (the compiled NT-Xent kernel cannot be built, so contrastive runs key as
    'tiled'), an empty training cache: every paper-scale training call of every page is found,
    verified, among the shipped results, so the paper book trains nothing."""
    from pathlib import Path

    from landscape import losses

    shipped = Path(__file__).resolve().parents[1] / "results" / "runs"
    monkeypatch.setenv("LANDSCAPE_SHIPPED_DIR", str(shipped))
    monkeypatch.setenv("LANDSCAPE_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(losses, "cpu_kernel", lambda: None)
    monkeypatch.setattr(cache, "train", lambda *a, **k: pytest.fail("the paper book trained"))
    assert losses.nt_xent_kernel(torch.device("cpu")) == "tiled"
    missing = []
    for name, cfgs in _paper_calls():
        found = cache.find_cached(cfgs, device="cpu")
        if found is None:
            missing.append((name, cfgs[0].method, tuple(c.seed for c in cfgs)))
        elif cfgs[0].method == "cl":
            assert "another NT-Xent kernel" in found.extra.get("kernel", "")
    assert not missing, f"paper-scale calls with no shipped result (they would train): {missing}"
    assert not list((tmp_path / "empty-cache").glob("*"))


def test_a_training_that_must_run_is_announced_with_its_estimate(tmp_cache, monkeypatch):
    monkeypatch.setattr(cache, "ANNOUNCE_SECONDS", 0.0)
    with pytest.warns(cache.TrainingNotStored) as caught:
        cache.cached_train(CFGS, progress="figure-xx NCL")
    err = str(caught[0].message)
    assert "figure-xx NCL: not in the training cache" in err
    assert "training 2 replica(s) for 8 epochs, about" in err and "of memory" in err
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", cache.TrainingNotStored)   # cached now: nothing to announce
        cache.cached_train(CFGS, progress="figure-xx NCL")


def test_is_stored_looks_without_reading_or_training(tmp_cache):
    assert not cache.is_stored(CFGS)
    cache.cached_train(CFGS, progress=False)
    assert cache.is_stored(CFGS)
    assert not cache.is_stored([CFGS[0].replace(seed=9)])


def test_a_longer_training_continues_from_the_kept_final_state_to_the_same_numbers(tmp_cache, monkeypatch):
    """keep_state keeps a training's final state; the same runs for more epochs, started from it,
    run only the extra epochs and give the numbers of a training from the start."""
    short = [c.replace(log_every=4) for c in CFGS]
    long = [c.replace(epochs=2 * c.epochs) for c in short]
    reference = cache.as_stored(train(long))
    cache.cached_train(short, progress=False, keep_state=True)
    assert len(list(tmp_cache.glob("*.state.pt"))) == 1 and not list(tmp_cache.glob("*.partial.pt"))
    epochs_run = []
    original = Engine.run_epoch

    def counted(self):
        epochs_run.append(self.epoch)
        return original(self)

    monkeypatch.setattr(Engine, "run_epoch", counted)
    continued = cache.cached_train(long, progress=False, start_from=short)
    assert epochs_run == list(range(short[0].epochs, long[0].epochs))      # only the extra epochs
    assert np.array_equal(continued.maxcos, reference.maxcos) and np.array_equal(continued.epochs, reference.epochs)
    assert np.array_equal(continued.loss[:, 1:], reference.loss[:, 1:])
    assert np.array_equal(continued.final_weights, reference.final_weights)
    assert len(list(tmp_cache.glob("*.state.pt"))) == 1                   # not kept unless asked


def test_an_unusable_final_state_is_set_aside_and_the_longer_training_starts_again(tmp_cache, monkeypatch):
    short = [c.replace(log_every=4) for c in CFGS]
    long = [c.replace(epochs=2 * c.epochs) for c in short]
    assert not cache.continues(long, [c.replace(seed=c.seed + 7) for c in short])      # other runs
    assert not cache.continues(short, long) and not cache.continues(long, [c.replace(epochs=7) for c in short])
    cache.cached_train(short, progress=False, keep_state=True)
    state = next(tmp_cache.glob("*.state.pt"))
    state.write_bytes(b"not a state")
    epochs_run = []
    original = Engine.run_epoch
    monkeypatch.setattr(Engine, "run_epoch", lambda self: (epochs_run.append(self.epoch), original(self))[1])
    with pytest.warns(UserWarning, match="unreadable.*starts from the beginning"):
        cache.cached_train(long, progress=False, start_from=short)
    assert epochs_run[0] == 0 and not state.exists()


def test_a_stored_result_records_the_machine_of_each_stretch_of_its_training(tmp_cache, monkeypatch):
    """A result names where it trained (host, CPU, its vector instructions, threads, versions),
    one entry per stretch: a training continued on another machine names both, in order; the
    record is covered by the checksum; a result stored before the record existed still loads."""
    from landscape import machine
    fresh = cache.cached_train(CFGS, progress=False)
    (here,) = fresh.extra["trained_on"]
    assert here["cpu_capability"] == torch.backends.cpu.get_cpu_capability() and here["threads"] == 1
    assert here["torch"] == torch.__version__ and here["device"] == "cpu" and here["cpu"]
    assert cache.cached_train(CFGS, progress=False).extra["trained_on"] == [here]      # read back
    short = [c.replace(log_every=4) for c in CFGS]
    long = [c.replace(epochs=2 * c.epochs) for c in short]
    cache.cached_train(short, progress=False, keep_state=True)
    elsewhere = {**here, "host": "another-machine", "cpu_capability": "AVX2"}
    monkeypatch.setattr(cache, "machine", lambda device, threads: elsewhere)
    assert cache.cached_train(long, progress=False, start_from=short).extra["trained_on"] == [here, elsewhere]
    assert machine.stretches([here], here) == [here]                       # same machine: one stretch

    path = next(p for p in tmp_cache.glob("*.npz") if cache.load_result(p).configs[0].epochs == long[0].epochs)
    with np.load(path) as z:
        arrays = {n: z[n] for n in z.files}
    np.savez_compressed(path, **{**arrays, "trained_on": np.array('[{"host": "edited"}]')})
    with pytest.raises(cache.CorruptResult, match="checksum mismatch"):
        cache.load_result(path)
    older = {n: a for n, a in arrays.items() if n not in ("trained_on", "checksum")}
    np.savez_compressed(path, **older, checksum=np.array(cache.checksum(older)))
    assert "trained_on" not in cache.load_result(path).extra


_TWIN = """
import os, sys, time
from pathlib import Path
from landscape import cache
from landscape.config import TrainConfig
cfgs = [TrainConfig(n=400, batch_size=40, epochs=int(sys.argv[1]), log_every=10, seed=s) for s in range(2)]
print("ready", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.01)
r = cache.cached_train(cfgs, progress=False, checkpoint_every_s=0.0)
print("cached" if "cached" in r.extra else "trained", float(r.maxcos.sum()), flush=True)
"""


def test_two_processes_asking_for_one_training_at_once_train_it_once(tmp_cache):
    """Sweep workers whose points share a model ask for the same key at the same moment: one
    trains it (checkpointing all along), the other waits for it and reads the result; neither
    finds a half-written checkpoint or sets anything aside."""
    import subprocess
    import sys
    import time

    go = tmp_cache / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _TWIN, "300", str(go)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "LANDSCAPE_CACHE_DIR": str(tmp_cache)}) for _ in range(2)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    go.touch()                                         # both start asking now
    t0 = time.perf_counter()
    outs = [p.communicate(timeout=300)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(o[0] for o in outs) == ["cached", "trained"], outs
    assert outs[0][1] == outs[1][1]                    # the same numbers
    assert not list(tmp_cache.glob("*.corrupt")) and not list(tmp_cache.glob("*.partial.pt"))
    assert time.perf_counter() - t0 > 0.5              # a training long enough for the two to overlap
