"""Choose one temperature for a finished ensemble on the dev set's `tune` sources, checked out of fold.

A temperature is a choice, so by the dev set's protocol (docs/results.md, "An honest protocol") it is
made on `tune` alone, and this script reads no other part. It takes a trained ensemble (e.g. the
quickstart's) and the dev set's feature file, keeps the `tune` rows (the manifest's ``devset_split``)
without the dev-set sources the demo itself trains on (``scripts/devset_rows.py``: the members have
seen them), and

* writes those rows as one feature file (``OUT/test_features_multiscale.h5``), the file to hand to
  ``python calibrate.py features_file=...``;
* deals the kept sources into ``--folds`` groups (``vidcls.evaluation.cv.assign_folds``, stratified by
  class), fits one ensemble temperature on the other groups' clips and applies it to each held-out
  group, the rule ``cv.py`` uses for its out-of-fold temperature;
* prints accuracy, ECE, NLL and mean confidence with no temperature and out of fold, pooled over the
  held-out groups, with intervals that resample sources and the paired ECE and NLL differences; the
  temperature per fold (is it stable?) and fitted on all kept rows (what ``calibrate.py`` would store).

``--folds`` equal to the number of kept sources leaves one source out at a time. A fold whose fit ends
at the search bound is flagged: with many members, when every clip of the fitting sources is right in
at least one member, the ensemble's NLL keeps falling as T goes to 0 (the mean softmax becomes the
members' vote share), and a held-out source that no member gets right then costs a huge NLL
(docs/results.md, "The quickstart's temperature (issue 25)").

It never writes into a checkpoint::

    python scripts/temperature_cv.py logs/quickstart/train \\
        --features data/devset/features_demo/train_features_multiscale.h5 --manifest devset/manifest.csv \\
        --folds 27 --out logs/quickstart/temperature_tune
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset_rows import select_rows, write_rows

from vidcls.errors import VidclsError
from vidcls.evaluation.cv import (
    Pool,
    assign_folds,
    group_bootstrap,
    out_of_fold_temperature,
    score_pooled,
)
from vidcls.evaluation.metrics import calibration, nll
from vidcls.inference.calibration import (
    TEMPERATURE_RANGE,
    ensemble_logits,
    ensemble_nll,
    ensemble_probs,
    fit_temperature,
)
from vidcls.inference.ensemble import load_ensemble
from vidcls.schema import validate_contents
from vidcls.utils.io import atomic_write_text


def checkpoint_logits(
    ckpt_paths: str, path: Path, batch_size: int = 64
) -> tuple[torch.Tensor, list[str], np.ndarray | None]:
    """Every member's raw logits ``[M, N, C]`` (no stored temperature) on a feature file, the member names and
    their ensemble weights (None: the plain mean)."""
    ensemble = load_ensemble(ckpt_paths, device="cpu", apply_temperature=False)
    logits, _ = ensemble_logits(ensemble, validate_contents(path), batch_size)
    return logits, ensemble.names, ensemble.weights


def temperature_cv(
    logits: torch.Tensor,
    pool: Pool,
    folds: int,
    fold_seed: int = 0,
    num_samples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    bins: int = 15,
    weights: np.ndarray | None = None,
) -> dict[str, Any]:
    """No temperature vs one fitted out of fold over sources, pooled with source-bootstrap intervals."""
    labels = pool.labels
    fold_of = assign_folds(pool.groups, labels, folds, fold_seed)
    raw = ensemble_probs(logits, 1.0, weights).numpy()
    member_probs = torch.softmax(logits.double(), dim=-1).numpy()
    oof, temperatures = out_of_fold_temperature(member_probs, labels, fold_of, folds, weights)
    names = sorted(set(pool.groups))
    group_ids = np.array([names.index(g) for g in pool.groups])
    boot = group_bootstrap(len(names), num_samples, seed)
    scored = {}
    for key, probs in (("none", raw), ("out_of_fold", oof)):
        scored[key], _ = score_pooled(probs, labels, group_ids, len(names), pool.class_names, boot, confidence, bins)
        scored[key]["mean_confidence"] = float(probs.max(axis=1).mean())
        del scored[key]["confusion_matrix"]
    rows_of = [np.flatnonzero(group_ids == g) for g in range(len(names))]
    diffs: dict[str, list[float]] = {"ece": [], "nll": []}
    for resample in boot:
        rows = np.concatenate([rows_of[g] for g in resample])
        diffs["ece"].append(
            calibration(oof[rows], labels[rows], bins).ece - calibration(raw[rows], labels[rows], bins).ece
        )
        diffs["nll"].append(nll(oof[rows], labels[rows]) - nll(raw[rows], labels[rows]))
    alpha = (1 - confidence) / 2
    full = fit_temperature(logits, torch.from_numpy(labels), weights=weights)
    return {
        "clips": len(labels),
        "groups": len(names),
        "folds": [
            {
                "temperature": t,
                "at_bound": fit_at_bound(logits[:, fold_of != f], labels[fold_of != f], t, weights),
                "clips": int((fold_of == f).sum()),
                "groups": sorted({g for g, k in zip(pool.groups, fold_of, strict=True) if k == f}),
                "accuracy_none": float((raw[fold_of == f].argmax(1) == labels[fold_of == f]).mean()),
            }
            for f, t in enumerate(temperatures)
        ],
        "mean_fold_temperature": float(np.mean(temperatures)),
        "temperature_all_rows": full,
        "scores": scored,
        "out_of_fold_minus_none": {
            key: {
                "difference": scored["out_of_fold"][key] - scored["none"][key],
                "ci": [float(v) for v in np.quantile(values, [alpha, 1 - alpha])],
            }
            for key, values in diffs.items()
        },
        "bootstrap": {"num_samples": num_samples, "confidence": confidence, "unit": "source"},
    }


def fit_at_bound(
    logits: torch.Tensor, labels: np.ndarray, temperature: float, weights: np.ndarray | None = None
) -> bool:
    """Whether the fitted NLL is no lower than at an end of the search range: the NLL kept falling to it (e.g.
    every clip right in some member, as T goes to 0), where the search stops anywhere on the flat end."""
    y = torch.from_numpy(labels)
    fitted = ensemble_nll(logits, y, temperature, weights)
    return any(ensemble_nll(logits, y, bound, weights) <= fitted + 1e-9 for bound in TEMPERATURE_RANGE)


def report(result: dict[str, Any]) -> str:
    """A few plain lines: what docs/results.md quotes."""
    lines = [
        f"{result['clips']} clips, {result['groups']} sources of tune "
        f"(excluded: {', '.join(result['excluded_groups']) or 'none'}); members: {len(result['members'])}",
        "temperature per fold (fitted on the other folds): "
        + ", ".join(
            f"{f['temperature']:.3f} ({'at the search bound; ' if f['at_bound'] else ''}{f['clips']} clips, "
            f"{len(f['groups'])} sources)"
            for f in result["folds"]
        )
        + f"; mean {result['mean_fold_temperature']:.3f}; fitted on all kept rows {result['temperature_all_rows']:.3f}",
    ]
    for key, title in (("none", "no temperature"), ("out_of_fold", "out-of-fold T")):
        s = result["scores"][key]
        lines.append(
            f"{title:15s} accuracy {100 * s['accuracy']:.1f}% [{100 * s['accuracy_ci'][0]:.1f}, "
            f"{100 * s['accuracy_ci'][1]:.1f}]  ECE {s['ece']:.3f} [{s['ece_ci'][0]:.3f}, {s['ece_ci'][1]:.3f}]  "
            f"NLL {s['nll']:.3f}  mean confidence {s['mean_confidence']:.2f}"
        )
    d = result["out_of_fold_minus_none"]
    lines.append(
        f"out-of-fold - none, paired over sources: ECE {d['ece']['difference']:+.3f} "
        f"[{d['ece']['ci'][0]:+.3f}, {d['ece']['ci'][1]:+.3f}], NLL {d['nll']['difference']:+.3f} "
        f"[{d['nll']['ci'][0]:+.3f}, {d['nll']['ci'][1]:+.3f}]"
    )
    lines.append(f"fit file (calibrate.py features_file=): {result['fit_file']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ckpt_paths", help="the ensemble: a checkpoint, a glob or a (multi)run directory")
    parser.add_argument("--features", type=Path, required=True, help="the dev set's features, made the members' way")
    parser.add_argument("--manifest", type=Path, default=Path("devset/manifest.csv"), help="the dev set's manifest")
    parser.add_argument("--folds", type=int, default=3, help="groups of sources for the out-of-fold check")
    parser.add_argument("--fold-seed", type=int, default=0, help="tie order when dealing sources into folds")
    parser.add_argument("--out", type=Path, required=True, help="folder for the kept rows' feature file and JSON")
    args = parser.parse_args(argv)
    try:
        pool, dropped = select_rows(args.features, args.manifest, "tune")
        fit_file = write_rows(pool, args.out)
        logits, members, weights = checkpoint_logits(args.ckpt_paths, fit_file)
        result = temperature_cv(logits, pool, args.folds, args.fold_seed, weights=weights)
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    result = {
        "excluded_groups": dropped,
        "members": members,
        "fit_file": str(fit_file),
        **result,
    }
    atomic_write_text(args.out / "temperature_cv.json", json.dumps(result, indent=2))
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
