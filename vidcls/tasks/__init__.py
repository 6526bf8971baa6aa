"""One module per command, each with ``run(cfg) -> dict``: the whole job behind an entry point.

| entry point | task | results dict |
|---|---|---|
| ``extract.py`` | :mod:`vidcls.tasks.extract` | what was extracted or merged |
| ``train.py`` | :mod:`vidcls.tasks.train` | the final metrics (``val/acc_best``, ``test/acc``, ...) |
| ``eval.py`` | :mod:`vidcls.tasks.evaluate` | what ``eval_metrics.json`` holds |
| ``predict.py`` | :mod:`vidcls.tasks.predict` | the prediction records (the JSON ``output=json`` prints) |
| ``app.py`` | :mod:`vidcls.tasks.serve` | the address served, once the server stops |

Every ``run`` seeds from ``cfg.seed`` first (so a test or ``cv.py`` calling it gets the run a
command line would), composes from the config and returns; the entry points only wrap it in
:func:`vidcls.utils.cli.report_user_errors` (one-line user errors). Library code stays in the
packages the tasks import (``vidcls.training``, ``vidcls.extraction``, ``vidcls.inference``, ...).
"""
