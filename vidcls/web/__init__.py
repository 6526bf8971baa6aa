"""The web page and its JSON API (Flask), on the same inference core as ``predict.py``."""

from vidcls.web.app import create_app
from vidcls.web.catalog import VideoCatalog
from vidcls.web.service import ClassifierService

__all__ = ["ClassifierService", "VideoCatalog", "create_app"]
