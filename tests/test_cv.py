"""Grouped k-fold cross-validation: fold assignment, group-bootstrap metrics, and cv.py's run on tiny features."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import h5py
import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, open_dict

from vidcls.errors import VidclsError
from vidcls.evaluation.cv import (
    EXTRA_GROUP,
    _write_fold_files,
    assign_folds,
    drop_groups,
    fold_roles,
    group_bootstrap,
    load_extra_train,
    load_pool,
    metrics_from_confusion,
    paired_group_difference,
    score_pooled,
    subset_pool,
    unseen_rows,
)
from vidcls.evaluation.metrics import classification_metrics, confusion_matrix
from vidcls.schema import read_groups, split_path, write_feature_file
from vidcls.synthetic import SYNTHETIC_CLASS_NAMES, synthetic_features

ROOT = Path(__file__).resolve().parents[1]


def _groups(n_groups: int, per_group: int, num_classes: int = 4) -> tuple[list[str], np.ndarray]:
    groups = [f"g{g:02d}" for g in range(n_groups) for _ in range(per_group)]
    labels = np.array([g % num_classes for g in range(n_groups) for _ in range(per_group)])
    return groups, labels


def test_folds_keep_groups_whole_and_spread_classes() -> None:
    groups, labels = _groups(20, 3)
    folds = assign_folds(groups, labels, k=5, seed=1)
    for g in set(groups):
        assert len({int(folds[i]) for i, h in enumerate(groups) if h == g}) == 1, g
    for f in range(5):  # 5 groups per class, 5 folds: one group of every class in every fold
        assert sorted(labels[folds == f].tolist()) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    roles = fold_roles(folds, 2, 5)
    assert set(np.concatenate(list(roles.values())).tolist()) == set(range(len(groups)))
    assert not set(roles["test"]) & set(roles["val"]) and not set(roles["train"]) & set(roles["test"])
    assert np.array_equal(assign_folds(groups, labels, 5, seed=1), folds)  # reproducible


def test_too_few_groups_is_a_user_error() -> None:
    groups, labels = _groups(3, 2)
    with pytest.raises(VidclsError, match="only 3 groups"):
        assign_folds(groups, labels, k=5)


def test_confusion_metrics_match_the_eval_metrics() -> None:
    rng = np.random.default_rng(0)
    labels, predicted = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    ours = metrics_from_confusion(confusion_matrix(labels, predicted, 4))
    ref = classification_metrics(labels, predicted, 4)
    assert ours["accuracy"] == pytest.approx(ref.accuracy)
    assert ours["macro_f1"] == pytest.approx(ref.macro_f1)
    assert ours["recall"] == pytest.approx(np.array(ref.recall))


def test_group_bootstrap_is_wider_than_clip_bootstrap_for_correlated_clips() -> None:
    # 10 groups of 10 identical clips: half the groups all right, half all wrong.
    ids = np.repeat(np.arange(10), 10)
    labels = np.zeros(100, dtype=np.int64)
    probs = np.zeros((100, 2))
    probs[np.arange(100), (ids % 2 == 0).astype(int)] = 1.0  # even groups predict class 1 (wrong)
    boot = group_bootstrap(10, 500, 0)
    result, cms = score_pooled(probs, labels, ids, 10, ["a", "b"], boot, 0.95, 10)
    assert result["accuracy"] == 0.5
    low, high = result["accuracy_ci"]
    assert low <= 0.2 and high >= 0.8  # 10 effective samples, not 100
    same = paired_group_difference(cms, cms, boot, 0.95)
    assert same["accuracy"] == {"difference": 0.0, "ci": [0.0, 0.0], "significant": False}


def _pool_file(path: Path, with_groups: bool) -> tuple[Path, list[str]]:
    feats, labels, lengths = synthetic_features(12, max_frames=8, feature_dim=16, seed=0)  # 12 clips per class
    seen: dict[int, int] = {}
    groups = []
    for y in labels.tolist():  # 3 sources per class, 4 clips each
        seen[y] = seen.get(y, 0) + 1
        groups.append(f"{SYNTHETIC_CLASS_NAMES[y]}_src{seen[y] % 3}")
    paths = [f"VIDEOS/{SYNTHETIC_CLASS_NAMES[y]}/{i:03d}.mp4" for i, y in enumerate(labels)]
    provenance = {"backbone": "synthetic", "backbone_weights": "none", "frame_size": [0, 0], "scales": [1.0],
                  "sampling": "synthetic"}  # fmt: skip
    write_feature_file(path, feats, labels, lengths, SYNTHETIC_CLASS_NAMES, provenance=provenance,
                       video_paths=paths, groups=groups if with_groups else None)  # fmt: skip
    return path, groups


def test_groups_from_file_or_manifest(tmp_path: Path) -> None:
    stored, groups = _pool_file(tmp_path / "a.h5", with_groups=True)
    with h5py.File(stored, "r") as f:
        assert read_groups(f) == groups
    assert load_pool(stored).groups == groups
    bare, _ = _pool_file(tmp_path / "b.h5", with_groups=False)
    with pytest.raises(VidclsError, match=r"cv\.manifest"):
        load_pool(bare)
    manifest = tmp_path / "manifest.csv"
    pool = load_pool(stored)
    lines = ["path,label,source"] + [
        f"data/devset/{p},{pool.class_names[y]},{g}"
        for p, y, g in zip(pool.video_paths, pool.labels, groups, strict=True)
    ]  # paths stored relative to another root: matched by suffix
    manifest.write_text("\n".join(lines) + "\n")
    assert load_pool(bare, manifest, group_column="source").groups == groups
    with pytest.raises(VidclsError, match="'group'"):
        load_pool(bare, manifest, group_column="group")
    manifest.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(VidclsError, match="1 feature row"):
        load_pool(bare, manifest, group_column="source")


def test_subset_keeps_the_rows_of_one_protocol_part(tmp_path: Path) -> None:
    stored, groups = _pool_file(tmp_path / "a.h5", with_groups=True)
    pool = load_pool(stored)
    part = {g: ("final" if k % 3 == 0 else "tune") for k, g in enumerate(sorted(set(groups)))}
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,group,devset_split\n"
        + "".join(f"{p},{g},{part[g]}\n" for p, g in zip(pool.video_paths, groups, strict=True))
    )
    tune = subset_pool(pool, manifest, "devset_split", "tune")
    rows = [i for i, g in enumerate(groups) if part[g] == "tune"]
    assert tune.groups == [groups[i] for i in rows] and tune.video_paths == [pool.video_paths[i] for i in rows]
    assert np.array_equal(tune.features, pool.features[rows]) and np.array_equal(tune.labels, pool.labels[rows])
    assert tune.class_names == pool.class_names and 0 < len(rows) < len(groups)
    with pytest.raises(VidclsError, match=r"it has \['final', 'tune'\]"):
        subset_pool(pool, manifest, "devset_split", "test")
    with pytest.raises(VidclsError, match=r"cv\.manifest"):
        subset_pool(pool, None, "devset_split", "tune")


def test_extra_train_files_join_every_fold_training_split_only(tmp_path: Path) -> None:
    """cv.extra_train_files (e.g. the demo beside the dev set's tune sources): in train, never in val or test."""
    pool = load_pool(_pool_file(tmp_path / "pool.h5", with_groups=True)[0])
    extra_file, _ = _pool_file(tmp_path / "demo.h5", with_groups=False)
    extra = load_extra_train([extra_file, extra_file], pool)
    assert extra is not None and len(extra.labels) == 2 * len(pool.labels) and set(extra.groups) == {EXTRA_GROUP}
    assert load_extra_train([], pool) is None
    folds = assign_folds(pool.groups, pool.labels, 3)
    roles = fold_roles(folds, 0, 3)
    _write_fold_files(pool, roles, tmp_path / "fold", extra)
    for split, rows in roles.items():
        with h5py.File(split_path(tmp_path / "fold", split), "r") as f:
            groups = read_groups(f)
            labels = f["labels"][()]
        expected = [pool.groups[i] for i in rows] + (extra.groups if split == "train" else [])
        assert groups == expected
        assert len(labels) == len(expected)
    # features made another way, or with other classes, are refused in one line
    other = tmp_path / "other.h5"
    feats, labels, lengths = synthetic_features(2, max_frames=8, feature_dim=16, seed=1)
    write_feature_file(other, feats, labels, lengths, SYNTHETIC_CLASS_NAMES,
                       provenance={"backbone": "effnet_lite0", "frame_size": [224, 224]})  # fmt: skip
    with pytest.raises(VidclsError, match="extracted differently"):
        load_extra_train([other], pool)
    write_feature_file(other, feats, labels, lengths, ["A", "B", "C", "D"], provenance=pool.provenance)
    with pytest.raises(VidclsError, match="has classes"):
        load_extra_train([other], pool)


def test_exclude_groups_drops_whole_sources_and_names_unknown_ones(tmp_path: Path) -> None:
    pool = load_pool(_pool_file(tmp_path / "pool.h5", with_groups=True)[0])
    gone = sorted(set(pool.groups))[:2]
    kept = drop_groups(pool, gone)
    assert not set(kept.groups) & set(gone) and len(kept.labels) == len(pool.labels) - 8
    assert len(kept.features) == len(kept.video_paths) == len(kept.labels)
    with pytest.raises(VidclsError, match="not in the data"):
        drop_groups(pool, ["no-such-source"])


def test_unseen_groups_are_scored_in_the_same_folds_but_never_trained_on(tmp_path: Path) -> None:
    pool = load_pool(_pool_file(tmp_path / "pool.h5", with_groups=True)[0])
    folds = assign_folds(pool.groups, pool.labels, 3)
    hidden = sorted(set(pool.groups))[2:5:2]  # two sources of two classes
    unseen = unseen_rows(pool.groups, hidden)
    assert unseen.sum() == 8 and {pool.groups[i] for i in np.flatnonzero(unseen)} == set(hidden)
    tested = []
    for fold in range(3):
        plain, ablated = fold_roles(folds, fold, 3), fold_roles(folds, fold, 3, unseen)
        np.testing.assert_array_equal(plain["test"], ablated["test"])  # the same clips scored in the same fold
        for split in ("train", "val"):
            assert not {pool.groups[i] for i in ablated[split]} & set(hidden)
            assert set(ablated[split]) == set(plain[split]) - set(np.flatnonzero(unseen).tolist())
        tested.extend(ablated["test"].tolist())
    assert sorted(tested) == list(range(len(pool.labels)))  # every clip, hidden ones included, scored once
    with pytest.raises(VidclsError, match="not in the data"):
        unseen_rows(pool.groups, ["no-such-source"])


def test_cv_unseen_groups_are_checked_before_training(tmp_path: Path) -> None:
    from vidcls.evaluation.cv import run_cv

    features_file, _ = _pool_file(tmp_path / "pool.h5", with_groups=True)
    with pytest.raises(VidclsError, match=r"cv\.unseen_groups names group\(s\) not in the data: \['nope'\]"):
        run_cv(_cv_cfg(tmp_path / "cv", features_file, "cv.unseen_groups=[nope]"))
    assert not (tmp_path / "cv" / "folds.json").exists()


def _cv_cfg(out: Path, features_file: Path, *overrides: str) -> DictConfig:
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        cfg = compose(
            "cv",
            overrides=[
                "experiment=tiny",
                "logger=none",
                "~callbacks.progress_bar",
                "~callbacks.lr_monitor",
                "trainer.max_epochs=3",
                f"cv.features_file={features_file}",
                "cv.folds=3",
                "cv.seeds=[0,1]",
                "cv.bootstrap.num_samples=100",
                "cv.baseline_model.hidden_dim=16",
                *overrides,
            ],
        )
    with open_dict(cfg):
        cfg.paths.root_dir = str(ROOT)
        cfg.paths.output_dir = str(out)
    return cfg


def test_cv_subset_is_read_from_the_config_before_training(tmp_path: Path) -> None:
    from vidcls.evaluation.cv import run_cv

    features_file, _ = _pool_file(tmp_path / "pool.h5", with_groups=True)
    with pytest.raises(VidclsError, match=r"cv\.subset=tune needs cv\.manifest"):
        run_cv(_cv_cfg(tmp_path / "cv", features_file, "cv.subset=tune"))
    assert not (tmp_path / "cv" / "fold_0").exists()


@pytest.mark.slow
def test_cv_trains_ensemble_and_baseline_on_grouped_folds(tmp_path: Path) -> None:
    from vidcls.evaluation.cv import run_cv

    features_file, _ = _pool_file(tmp_path / "pool.h5", with_groups=True)
    out = tmp_path / "cv"
    report = run_cv(_cv_cfg(out, features_file))
    assert report["num_videos"] == 48 and report["num_groups"] == 12 and report["bootstrap"]["unit"] == "group"
    for key in ("ensemble/tta", "ensemble/no_tta", "baseline/tta", "baseline/no_tta", "ensemble/tta/seed=1",
                "ensemble/tta/uncalibrated"):  # fmt: skip
        r = report["results"][key]
        assert 0.0 <= r["accuracy_ci"][0] <= r["accuracy"] <= r["accuracy_ci"][1] <= 1.0
        assert set(r["recall"]) == set(SYNTHETIC_CLASS_NAMES)
        assert sum(map(sum, r["confusion_matrix"])) == 48  # every clip scored exactly once, held out
    assert "ensemble/tta - baseline/tta" in report["comparisons"]
    assert "ensemble/tta - ensemble/tta/uncalibrated" in report["comparisons"]
    r = report["results"]["ensemble/tta"]
    assert r["ece_ci"][0] <= r["ece_ci"][1]
    assert "ensemble/tta/oof_temperature" in report["results"] and len(report["oof_temperatures"]["baseline"]) == 3
    # held-out test groups never appear in that fold's training or validation files
    for fold in range(3):
        with h5py.File(split_path(out / f"fold_{fold}" / "features", "test"), "r") as f:
            test_groups = set(read_groups(f))
        for split in ("train", "val"):
            with h5py.File(split_path(out / f"fold_{fold}" / "features", split), "r") as f:
                assert not test_groups & set(read_groups(f))
    ckpt = out / "fold_0" / "ensemble" / "seed=0" / "checkpoints" / "best.ckpt"
    assert ckpt.is_file()
    with (out / "cv_predictions.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 48 and {r["fold"] for r in rows} == {"0", "1", "2"}
    assert "ensemble/tta/uncalibrated/p_ClassA" in rows[0] and "baseline/no_tta/predicted" in rows[0]
    written = json.loads((out / "cv_metrics.json").read_text())
    assert written["results"]["ensemble/tta"]["accuracy"] == report["results"]["ensemble/tta"]["accuracy"]

    # Resuming the same run trains nothing again and gives the same numbers.
    stamp = ckpt.stat().st_mtime_ns
    again = run_cv(_cv_cfg(out, features_file))
    assert ckpt.stat().st_mtime_ns == stamp
    assert again["results"]["ensemble/tta"] == report["results"]["ensemble/tta"]
    # ... but other folds in the same directory are refused.
    with pytest.raises(VidclsError, match="other folds"):
        run_cv(_cv_cfg(out, features_file, "cv.folds=4"))


def test_measured_defaults() -> None:
    """Defaults decided by grouped CV (docs/results.md): no TTA by default, temporal4 still selectable."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        for name in ("eval", "predict"):
            assert list(compose(name, overrides=["ckpt_paths=x"] if name == "eval" else []).tta.views) == ["original"]
        assert len(compose("eval", overrides=["tta=temporal4"]).tta.views) == 4
        # the web page follows: its checkbox starts off (it offers temporal4's views when turned on)
        assert compose("app", overrides=["ckpt_paths=x"]).tta_default is False
        # val-fitted temperatures hurt held-out NLL on the dev set
        assert compose("train").calibrate is False
        # one class-balancing mechanism: focal-loss alpha (auto), not also the class-balanced sampler
        train_cfg = compose("train")
        assert train_cfg.data.balance_classes is False and train_cfg.model.loss.alpha == "auto"


def test_out_of_fold_temperature_is_fitted_without_the_fold() -> None:
    from vidcls.evaluation.cv import out_of_fold_temperature

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(300, 4)) * 2
    labels = np.array([rng.choice(4, p=np.exp(r) / np.exp(r).sum()) for r in logits])
    sharp = np.exp(logits * 3) / np.exp(logits * 3).sum(axis=1, keepdims=True)  # 3x overconfident
    folds = np.arange(300) % 3
    scaled, temps = out_of_fold_temperature(sharp[None], labels, folds, 3)
    assert all(2.4 < t < 3.6 for t in temps)

    def nll(p: np.ndarray) -> float:
        return float(-np.log(p[np.arange(300), labels]).mean())

    assert nll(scaled) < nll(sharp)
    # the fold's own labels are never used: scrambling fold 0's labels leaves fold 0's temperature alone
    scrambled = labels.copy()
    scrambled[folds == 0] = (scrambled[folds == 0] + 1) % 4
    assert out_of_fold_temperature(sharp[None], scrambled, folds, 3)[1][0] == temps[0]
