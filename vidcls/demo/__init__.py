"""The embedded demo data: a small labelled video set built locally, with no download.

``build_demo_videos(out_dir)`` writes ``out_dir/<Class>/<clip>.mp4`` for the four
``DEMO_CLASS_NAMES``; see docs/demo-data.md for what it is and how to replace it with real data.
"""

from vidcls.demo.build import DEMO_CLASS_NAMES, build_demo_videos

__all__ = ["DEMO_CLASS_NAMES", "build_demo_videos"]
