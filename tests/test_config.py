"""Every impossible configuration fails fast with a message naming the problem."""
import pytest

from landscape.config import TrainConfig


@pytest.mark.parametrize("kwargs, match", [
    ({"m": 5, "d": 10}, r"m must be >= d"),
    ({"p": 8, "d": 10}, r"p must be >= d"),
    ({"masking_prob": 0.0}, r"masking probability must lie in \(0, 1\]"),
    ({"masking_prob": 1.2}, r"masking probability"),
    ({"masking_prob": 1.0, "mask_meaning": "drop"}, "keeps nothing"),
    ({"p_sparse": 0.0}, r"p_sparse must lie in \(0, 1\]"),
    ({"lr": 0.0}, "lr must be positive"),
    ({"lr": 1e39}, r"at most 3.4e\+38"),
    ({"lr": float("nan")}, "lr must be finite"),
    ({"lr": -1.0}, "lr must be positive"),
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"batch_size": -3}, "batch_size must be a positive integer"),
    ({"latents": "dense"}, "valid choices: paper, code, one_hot"),
    ({"method": "byol"}, "valid choices: ncl, cl, simsiam"),
    ({"activation": "srelu"}, "did you mean 'relu'"),
    ({"weight_norm": "rows"}, "did you mean 'row'"),
    ({"dictionary": "identity", "p": 20, "d": 10, "m": 10}, "p == d"),
    ({"layers": 3}, "layers must be 1 or 2"),
    ({"method": "cl", "predictor": True}, "projector, not a predictor"),
    ({"method": "ncl", "projector": True}, "projector belongs"),
    ({"method": "simsiam"}, "needs predictor=True"),
    ({"temperature": 0.0}, "temperature must be positive"),
])
def test_bad_configuration_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**kwargs)


def test_unknown_parameter_name_suggests_closest():
    with pytest.raises(ValueError, match=r"unknown configuration parameter 'p_sprase' \(did you mean 'p_sparse'\?\)"):
        TrainConfig().replace(p_sprase=0.2)


def test_defaults_are_the_papers_reading():
    c = TrainConfig()
    assert (c.p, c.d, c.m, c.n, c.lr, c.epochs, c.batch_size) == (50, 10, 50, 1000, 0.025, 8000, 512)
    assert (c.latents, c.noise, c.augmentation, c.mask_meaning) == ("paper", "paper", "independent", "keep")
    assert c.alpha == 0.5
    assert c.replace(warm_c=1.0).sigma == pytest.approx(50 ** -0.5)  # ~0.141 (Sec. 5.2.2)
    assert c.replace(warm_sigma=0.02).sigma == 0.02


def test_key_is_stable_and_content_based():
    assert TrainConfig().key() == TrainConfig().key()
    assert TrainConfig().key() != TrainConfig(seed=1).key()


@pytest.mark.parametrize("field, value, match", [
    ("predictor", "False", r"predictor must be True or False, got 'False' \(str\)"),
    ("drop_last", "False", r"drop_last must be True or False"),
    ("batchnorm", 1, r"batchnorm must be True or False, got 1 \(int\)"),
    ("temperature", float("inf"), "temperature must be finite"),
    ("weight_decay", float("nan"), "weight_decay must be finite"),
    ("weight_decay", float("inf"), "weight_decay must be finite"),
    ("warm_c", float("nan"), "warm_c must be finite"),
    ("warm_sigma", float("inf"), "warm_sigma must be finite"),
    ("lr", "0.1", r"lr must be a number, got '0.1' \(str\)"),
    ("p_sparse", True, r"p_sparse must be a number, got True \(bool\)"),
    ("seed", -1, r"seed must be an integer in \[0, 2\*\*32\)"),
    ("seed", 2 ** 70, r"seed must be an integer in \[0, 2\*\*32\)"),
    ("seed", 2.5, r"seed must be an integer, got 2.5 \(float\)"),
    ("seed", "0", r"seed must be an integer, got '0' \(str\)"),
    ("epochs", 10.0, r"epochs must be an integer, got 10.0 \(float\)"),
    ("m", True, r"m must be an integer, got True \(bool\)"),
])
def test_every_field_has_its_type_and_a_finite_value(field, value, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**{field: value})


def test_numpy_numbers_are_accepted_as_plain_ones():
    import numpy as np

    c = TrainConfig(m=np.int64(50), seed=np.int32(3), lr=np.float32(0.025), p_sparse=np.float64(0.1))
    assert (type(c.m), type(c.seed), type(c.lr)) == (int, int, float)
    assert c.key() == TrainConfig(seed=3, lr=float(np.float32(0.025))).key()


def test_an_unknown_field_at_construction_suggests_the_closest():
    with pytest.raises(ValueError, match=r"unknown configuration parameter 'masking_porb' \(did you mean 'masking_prob'\?\)"):
        TrainConfig(masking_porb=0.3)


def test_a_masking_probability_the_masks_cannot_draw_is_refused():
    with pytest.raises(ValueError, match=r"masking_prob 1e-320 .* below 2\^-32"):
        TrainConfig(masking_prob=1e-320)
    assert TrainConfig(masking_prob=1e-17, mask_meaning="drop").alpha == 1.0
