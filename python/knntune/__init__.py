"""knntune from Python.

* ``knntune.similaripy``: similaripy 0.6's functions on knntune's engine.
* ``run``, ``tune``, ``test``, ``report``: the stages of ``knntune run|tune|test|report``, with
  config overrides given as a dict (the CLI's ``--set KEY=VALUE``).
* ``evaluate``: one configuration (or a baseline) scored as ``knntune evaluate`` scores it.
* ``trials``: a study's trials as a pandas DataFrame.
* ``Model``: a tuned model (similar items, recommendations for a list of items, embeddings).
* ``prepared``: a run's prepared data as CSR matrices.

docs/python.md describes the package.
"""

import json

from . import _core, _sparse

__all__ = ["run", "tune", "test", "report", "evaluate", "trials", "Model", "prepared", "similaripy"]


def _set_text(key, value):
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float, str)):
        text = str(value)
    else:  # lists and maps in flow form: JSON is valid YAML
        text = json.dumps(value)
    return f"{key}={text}"


def _stages(command, target, overrides, out, resume, force, quiet):
    sets = [_set_text(k, v) for k, v in (overrides or {}).items()]
    return _core.run_stages(command, str(target), sets, "" if out is None else str(out),
                            bool(resume), bool(force), bool(quiet))


def run(config, overrides=None, out=None, resume=False, force=False, quiet=True):
    """The whole experiment of a YAML config (``knntune run``); returns the run folder.

    ``overrides`` maps config keys to values, e.g. ``{"search.n_trials": 20}``: each becomes
    a ``--set KEY=VALUE`` of the CLI, with the same validation."""
    return _stages("run", config, overrides, out, resume, force, quiet)


def tune(config, overrides=None, out=None, resume=False, force=False, quiet=True):
    """Prepares the data and tunes every model of a config (``knntune tune``)."""
    return _stages("tune", config, overrides, out, resume, force, quiet)


def test(run_dir, quiet=True):
    """Retrains each measure's best on train and scores test (``knntune test``)."""
    return _stages("test", run_dir, None, None, False, False, quiet)


test.__test__ = False  # not a pytest test function


def report(run_dir, quiet=True):
    """Writes report.md and report.html of a run folder (``knntune report``)."""
    return _stages("report", run_dir, None, None, False, False, quiet)


def evaluate(config, measure=None, params=None, orientation="item", period="valid",
             baseline=None, seed=None, overrides=None, out=None):
    """Scores one configuration as ``knntune evaluate`` does; returns its JSON as a dict.

    ``measure`` and ``params`` (name → value, the CLI's ``--param NAME=VALUE``; every parameter
    the config tunes must be given) choose the KNN model, ``orientation`` "item" or "user";
    or ``baseline`` ("top_pop", "random"; ``seed`` defaults to the config's tuner.seed)
    replaces them. ``period`` "valid" fits on train_val and scores valid, as a tuning trial
    does; "test" fits on train and scores test. ``overrides`` as for ``run``; ``out`` is the
    run folder whose prepared data is reused or written."""
    sets = [_set_text(k, v) for k, v in (overrides or {}).items()]
    values = {}
    for name, value in (params or {}).items():
        values[str(name)] = value if isinstance(value, str) else float(value)
    text = _core.evaluate(str(config), sets, "" if out is None else str(out),
                          "" if measure is None else str(measure), values, str(orientation),
                          str(period), "" if baseline is None else str(baseline),
                          -1 if seed is None else int(seed))
    return json.loads(text)

def trials(path):
    """The trials of a trial log, or of every log of a run folder, as a pandas DataFrame.

    Columns: ``study`` (the log's file name), ``number``, ``state``, ``value``, one
    ``params_KEY`` per search-space parameter (categoricals as their labels, None where
    inactive), one ``metric_NAME`` per recorded metric, ``start_time``, ``end_time`` (seconds
    since the epoch), ``duration`` and ``error``."""
    import os

    import pandas as pd

    frames = []
    for log in _core.trial_logs(str(path)):
        frame = pd.DataFrame(_core.trial_columns(log))
        frame.insert(0, "study", os.path.basename(log))
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(out):
        out["duration"] = out["end_time"] - out["start_time"]
    return out


def _csr(arrays):
    indptr, indices, data, rows, cols = arrays
    return _sparse.make_csr(indptr, indices, data, (rows, cols))


class Model:
    """A tuned KNN model: a model file (model-item_knn.h5) or a run folder holding one."""

    def __init__(self, path):
        self._m = _core.Model(str(path))
        self.model = self._m.model
        self.measure = self._m.measure
        self.params = json.loads(self._m.params_json)
        self.item_keys = list(self._m.item_keys)
        self.item_names = list(self._m.item_names)
        self.user_keys = list(self._m.user_keys)

    def similar(self, item, n=10):
        """The n items most similar to `item` (a name or key): [(key, name, score)]."""
        return self._m.similar(str(item), int(n))

    def recommend(self, items, n=10):
        """Recommendations for a new user who has `items` (names or keys)."""
        return self._m.recommend([str(i) for i in items], int(n))

    def embeddings(self, dims=32, seed=1):
        """Item embeddings (items × dims, numpy): the PCA of the similarity columns."""
        return self._m.embeddings(int(dims), int(seed))

    @property
    def similarity(self):
        """The item × item similarity matrix, CSR."""
        return _csr(self._m.similarity_arrays())

    @property
    def train(self):
        """The users × items matrix the model was fitted on, CSR."""
        return _csr(self._m.train_arrays())


def prepared(path):
    """A run's prepared data (prepared.h5 or its run folder): {"train_val", "valid", "train",
    "test": CSR users × items, "user_keys", "item_keys", "item_names": lists}."""
    raw = _core.prepared(str(path))
    out = {}
    for key, value in raw.items():
        out[key] = _csr(value) if isinstance(value, tuple) else list(value)
    return out
from . import similaripy  # noqa: E402
