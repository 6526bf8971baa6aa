"""Real tiny checkpoints for the inference, eval, predict and web tests (one helper, not one per module).

Trained for a few epochs with the real ``VideoClassifier`` and Lightning ``Trainer`` on a feature
directory, with the model composed from ``conf/model/super_enhanced.yaml`` plus tiny overrides, so
the tests exercise the same checkpoint format that ``train.py`` writes.
"""

from __future__ import annotations

from pathlib import Path

from compose_configs import compose_config

ROOT = Path(__file__).resolve().parents[1]
TINY_MODEL = ["model.hidden_dim=32", "model.num_lstm_layers=1", "model.num_attention_heads=2"]


def train_tiny_checkpoints(features_dir: Path, out_dir: Path, seeds: tuple[int, ...] = (0, 1), epochs: int = 2) -> Path:
    """``out_dir/seed=<s>/checkpoints/best.ckpt`` for each seed; done once per ``out_dir`` (cached)."""
    import lightning as L

    from vidcls.datamodules import FeatureDataModule
    from vidcls.modules import VideoClassifier

    done = out_dir / ".complete"
    if done.exists():
        return out_dir
    model_cfg = compose_config("model/super_enhanced", TINY_MODEL).model
    data = FeatureDataModule(features_dir=features_dir, batch_size=16, num_workers=0, check_values=False)
    data.setup("fit")
    for seed in seeds:
        L.seed_everything(seed, workers=True, verbose=False)
        module = VideoClassifier.from_model_config(
            model_cfg, data.class_names, data.feature_dim, provenance=data.provenance, class_counts=data.class_counts
        )
        trainer = L.Trainer(
            max_epochs=epochs,
            accelerator="cpu",
            devices=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            num_sanity_val_steps=0,
        )
        trainer.fit(module, datamodule=data)
        trainer.save_checkpoint(out_dir / f"seed={seed}" / "checkpoints" / "best.ckpt", weights_only=False)
    done.touch()
    return out_dir
