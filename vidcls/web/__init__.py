"""The web page and its JSON API (Flask), on the same inference core as ``predict.py``."""

from vidcls.utils.extras import require_extra

require_extra("web")  # one line naming the extra instead of an ImportError traceback

from vidcls.web.app import create_app  # noqa: E402
from vidcls.web.catalog import VideoCatalog  # noqa: E402
from vidcls.web.service import ClassifierService  # noqa: E402

__all__ = ["ClassifierService", "VideoCatalog", "create_app"]
