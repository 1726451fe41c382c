"""Disk cache and resumable checkpoints."""
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
    monkeypatch.setattr(Engine, "run_epoch", original)
    resumed = cache.cached_train(CFGS, progress=False, checkpoint_every_s=0.0)
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
