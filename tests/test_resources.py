"""The core-count rules behind ``cpu_threads: auto`` (extraction), ``data.num_workers: auto`` (training) and
``data.build_workers: auto`` (the demo build)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from vidcls.datamodules import FeatureDataModule
from vidcls.errors import VidclsError
from vidcls.utils.resources import build_workers, cpu_threads, loader_workers, usable_cores

CONF = Path(__file__).resolve().parents[1] / "conf"


def test_usable_cores_follows_the_affinity_mask() -> None:
    assert usable_cores() == len(os.sched_getaffinity(0))


def test_cpu_threads_leave_a_core_for_the_decoders_above_two_cores() -> None:
    assert [cpu_threads("auto", cores=c) for c in (1, 2, 3, 8)] == [1, 2, 2, 7]
    assert cpu_threads(None) == cpu_threads("auto", cores=usable_cores())
    assert cpu_threads(3) == 3 and cpu_threads(0) == 1


def test_loader_workers_keep_two_cores_for_the_step_and_cap_at_four() -> None:
    assert [loader_workers("auto", cores=c) for c in (1, 2, 3, 4, 6, 16)] == [0, 0, 1, 2, 4, 4]
    assert loader_workers(None) == loader_workers("auto", cores=usable_cores())
    assert loader_workers(3) == 3 and loader_workers("0") == 0


@pytest.mark.parametrize(("setting", "message"), [(-1, "0 or more"), ("many", "whole number or auto")])
def test_bad_worker_settings_name_the_option(setting: object, message: str) -> None:
    with pytest.raises(VidclsError, match=rf"data\.num_workers .*{message}"):
        loader_workers(setting)  # type: ignore[arg-type]


def test_demo_build_workers_use_every_core_and_the_config_says_auto() -> None:
    assert OmegaConf.load(CONF / "data" / "demo.yaml").build_workers == "auto"
    assert [build_workers("auto", cores=c) for c in (1, 2, 8)] == [1, 2, 8]
    assert build_workers(None) == usable_cores() and build_workers("3") == 3
    for setting, message in ((0, "1 or more"), ("many", "whole number or auto")):
        with pytest.raises(VidclsError, match=rf"data\.build_workers .*{message}"):
            build_workers(setting)


def test_datamodule_default_is_the_config_default_and_resolves_by_cores(synthetic_features_dir: Path) -> None:
    assert OmegaConf.load(CONF / "data" / "features.yaml").num_workers == "auto"
    dm = FeatureDataModule(features_dir=synthetic_features_dir, batch_size=4, persistent_workers=True)
    assert dm.num_workers == loader_workers("auto")
    # Persistent workers only exist when there are workers.
    assert dm.persistent_workers == (dm.num_workers > 0)
    loader = dm.train_dataloader()
    assert loader.num_workers == dm.num_workers


def test_train_config_instantiates_the_datamodule_with_auto_workers(synthetic_features_dir: Path) -> None:
    """What train.py builds from conf/: the string ``auto`` reaches the datamodule and resolves there."""
    from compose_configs import compose_config
    from hydra.utils import instantiate

    cfg = compose_config("train", values={"data.features_dir": str(synthetic_features_dir)})
    assert cfg.data.num_workers == "auto"
    assert instantiate(cfg.data).num_workers == loader_workers("auto")
