"""Lightning callbacks specific to vidcls (the standard ones are configured in conf/callbacks/)."""

from vidcls.callbacks.confusion import ConfusionMatrixLogger, confusion_figure

__all__ = ["ConfusionMatrixLogger", "confusion_figure"]
