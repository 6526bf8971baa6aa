"""Video -> aligned multi-scale features -> HDF5 in the predecessor's layout (extract, predict, the web app)."""

from vidcls.extraction.dataset import DatasetPlan, ManifestEntry, build_plan, load_manifest, save_plan
from vidcls.extraction.extractor import DecodedVideo, ExtractedVideo, FeatureExtractor
from vidcls.extraction.run import ExtractionSummary, merge_shards, run_extraction
from vidcls.extraction.writer import IncrementalWriter

__all__ = [
    "DatasetPlan",
    "DecodedVideo",
    "ExtractedVideo",
    "ExtractionSummary",
    "FeatureExtractor",
    "IncrementalWriter",
    "ManifestEntry",
    "build_plan",
    "load_manifest",
    "merge_shards",
    "run_extraction",
    "save_plan",
]
