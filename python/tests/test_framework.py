"""The framework from Python: a run with dict overrides, its trials as a DataFrame, the tuned
model, the prepared data; checked against the run folder's own files and the CLI."""

import io
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import knntune

SOURCE = Path(__file__).resolve().parents[2]
CONFIG = SOURCE / "configs" / "online-retail.yaml"
# Relative paths of a config are resolved from the working directory, as by the CLI.
OVERRIDES = {"data.path": str(SOURCE / "data" / "online-retail" / "online_retail.csv.gz"),
             "models": ["item_knn"], "search.measures": ["cosine", "rp3beta"],
             "search.params": {}, "search.enqueue": [], "tuner.strategy": "joint",
             "tuner.n_trials": 4, "tuner.parallel_trials": 1}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "or"
    assert knntune.run(CONFIG, overrides=OVERRIDES, out=out) == str(out)
    return out


def test_run_writes_the_stages_files(run_dir):
    assert (run_dir / "prepared.h5").exists()
    assert (run_dir / "model-item_knn.h5").exists()
    assert (run_dir / "report.md").exists()


def test_trials_frame_matches_the_cli(run_dir):
    df = knntune.trials(run_dir)
    assert len(df) == 4
    assert set(df["params_algorithm"]) <= {"cosine", "rp3beta"}
    assert (df["duration"] >= 0).all()
    cli = os.environ.get("KNNTUNE_CLI")
    if not cli:
        pytest.skip("KNNTUNE_CLI is not set (ctest sets it)")
    text = subprocess.run([cli, "trials", str(run_dir), "--format", "csv"], check=True,
                          capture_output=True, text=True).stdout
    want = pd.read_csv(io.StringIO(text))
    assert df["number"].tolist() == want["number"].tolist()
    assert df["state"].tolist() == want["state"].tolist()
    assert df["params_algorithm"].tolist() == want["algorithm"].tolist()
    assert df["params_k"].tolist() == want["k"].tolist()
    np.testing.assert_allclose(df["value"], want["value"], rtol=1e-12)
    np.testing.assert_allclose(df["metric_ndcg@10"], want["ndcg@10"], rtol=1e-12)
    alpha = df["params_rp3beta.alpha"]
    assert (alpha.isna() == want["rp3beta.alpha"].isna()).all()


def test_overrides_are_validated_like_set():
    with pytest.raises(ValueError, match="tuner.n_trials"):
        knntune.tune(CONFIG, overrides=dict(OVERRIDES, **{"tuner.n_trials": 0}),
                     out="/nonexistent/never")


def test_model_answers_from_its_matrix(run_dir):
    model = knntune.Model(run_dir)
    s = model.similarity
    assert s.shape == (len(model.item_keys), len(model.item_keys))
    item = int(np.argmax(np.diff(s.indptr)))
    top = model.similar(model.item_keys[item], n=5)
    row = {model.item_keys[c]: v for c, v in zip(s.indices[s.indptr[item]:s.indptr[item + 1]],
                                                 s.data[s.indptr[item]:s.indptr[item + 1]])}
    row.pop(model.item_keys[item], None)
    best = sorted(row.items(), key=lambda e: (-e[1], model.item_keys.index(e[0])))[:5]
    assert [k for k, _, _ in top] == [k for k, _ in best]
    # A user with item i alone scores item j by S[j, i] (R·Sᵀ, as in training).
    dense_col = s.toarray()[:, item]
    dense_col[item] = 0
    order = sorted((j for j in np.flatnonzero(dense_col > 0)), key=lambda j: (-dense_col[j], j))
    recs = model.recommend([model.item_keys[item]], n=3)
    assert [k for k, _, _ in recs] == [model.item_keys[j] for j in order[:3]]
    emb = model.embeddings(dims=3)
    assert emb.shape == (len(model.item_keys), 3)
    assert np.isfinite(emb).all()


def test_prepared_data_as_csr(run_dir):
    data = knntune.prepared(run_dir)
    tv = data["train_val"]
    assert tv.shape == (len(data["user_keys"]), len(data["item_keys"]))
    assert tv.nnz > 0
    assert np.all(np.diff(tv.indptr) >= 0)


def _cli_evaluate(run_dir, *args):
    cli = os.environ.get("KNNTUNE_CLI")
    if not cli:
        pytest.skip("KNNTUNE_CLI is not set (ctest sets it)")
    sets = []
    for key, value in OVERRIDES.items():
        sets += ["--set", knntune._set_text(key, value)]
    text = subprocess.run([cli, "evaluate", str(CONFIG), *args, *sets, "--out", str(run_dir)],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def test_evaluate_gives_the_cli_result(run_dir):
    got = knntune.evaluate(CONFIG, measure="rp3beta", params={"k": 40, "shrink": 5,
                           "alpha": 0.7, "beta": 0.3}, overrides=OVERRIDES, out=run_dir)
    want = _cli_evaluate(run_dir, "--measure", "rp3beta", "--param", "k=40", "--param",
                         "shrink=5", "--param", "alpha=0.7", "--param", "beta=0.3")
    for key in ("model", "period", "configuration", "objective", "users", "data_fingerprint"):
        assert got[key] == want[key], key
    assert got["value"] == want["value"]
    assert got["metrics"] == want["metrics"]


def test_evaluate_repeats_a_tuning_trial(run_dir):
    df = knntune.trials(run_dir)
    row = df[df["state"] == "Complete"].iloc[0]
    measure = row["params_algorithm"]
    params = {"k": int(row["params_k"]), "shrink": float(row["params_shrink"])}
    for col in df.columns:
        prefix = f"params_{measure}."
        if col.startswith(prefix) and not pd.isna(row[col]):
            params[col[len(prefix):]] = float(row[col])
    got = knntune.evaluate(CONFIG, measure=measure, params=params, overrides=OVERRIDES,
                           out=run_dir)
    assert got["value"] == row["value"]


def test_evaluate_a_baseline_on_test(run_dir):
    got = knntune.evaluate(CONFIG, baseline="top_pop", period="test", overrides=OVERRIDES,
                           out=run_dir)
    want = _cli_evaluate(run_dir, "--baseline", "top_pop", "--period", "test")
    assert got["model"] == "top_pop" and got["period"] == "test"
    assert got["metrics"] == want["metrics"]


def test_evaluate_refuses_bad_choices(run_dir):
    with pytest.raises(ValueError, match="one of the two"):
        knntune.evaluate(CONFIG, measure="cosine", baseline="top_pop", overrides=OVERRIDES,
                         out=run_dir)
    with pytest.raises(ValueError, match="period"):
        knntune.evaluate(CONFIG, measure="cosine", params={"k": 10, "shrink": 0},
                         period="train", overrides=OVERRIDES, out=run_dir)
