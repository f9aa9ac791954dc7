"""Chapter 09 (faces): the generator, the classical baseline, the metric-learning pieces and
the verification / recognition math, each against scikit-learn, torch, a brute-force loop
or a hand-worked value (tolerances stated per test), and the training script on a tiny
schedule."""
from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics import roc_auc_score, roc_curve as sk_roc_curve

from course_lib import data, face_gen, faces, faces_classical as fc, faces_metric as fm

REPO = Path(__file__).resolve().parents[1]


# --- the generator -----------------------------------------------------------------------------

def test_faces_shapes_range_and_seeding():
    f = data.faces(5, 3, seed=1)
    assert f.images.shape == (15, 1, 32, 32) and f.images.dtype == np.float32 and len(f) == 15
    assert f.images.min() >= 0 and f.images.max() <= 1
    assert f.identities.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert np.array_equal(data.faces(5, 3, seed=1).images, f.images)
    assert not np.array_equal(data.faces(5, 3, seed=2).images, f.images)
    assert data.faces(2, 1, size=24).images.shape == (2, 1, 24, 24)


def test_identity_factors_depend_on_the_id_only():
    a = data.identity_factors(np.array([7, 3]))
    b = data.identity_factors(10)
    for k in face_gen.IDENTITY_FACTORS:
        assert a[k][0] == b[k][7] and a[k][1] == b[k][3]
        lo, hi = face_gen.IDENTITY_FACTORS[k]
        assert lo <= b[k].min() and b[k].max() <= hi
    # without nuisance, every image of a person is the same picture; people differ
    f = data.faces(np.array([4, 9]), 3, seed=5, nuisance=0.0)
    assert np.allclose(f.images[0], f.images[1]) and np.allclose(f.images[0], f.images[2])
    assert np.abs(f.images[0] - f.images[3]).mean() > 0.01
    # the same person under another seed: same face, other nuisance
    assert np.allclose(data.faces(np.array([4]), 1, seed=0, nuisance=0.0).images, f.images[:1])


def test_nuisance_makes_the_task_hard_for_pixels():
    f = data.faces(40, 6, seed=3)
    x = f.images.reshape(len(f), -1)
    i, j, same = faces.make_pairs(f.identities, 600, np.random.default_rng(0))
    d = faces.pair_distances(x[i], x[j])
    assert d[same].mean() > 0.75 * d[~same].mean()


def test_identity_split_is_disjoint():
    tr, va, te = data.identity_split(50, 10, 20)
    assert len(set(tr) | set(va) | set(te)) == 80
    with pytest.raises(ValueError, match="train"):
        data.identity_split(200_000, 1, 1)


def test_lfw_sources_and_loaders_without_files(tmp_path):
    real = data.lfw_subset_faces()
    assert real.shape == (100, 25, 25)
    aug = data.lfw_identities(per_image=2, seed=0, size=32)
    assert aug.images.shape == (200, 1, 32, 32) and aug.identities[:4].tolist() == [0, 0, 1, 1]
    assert not np.array_equal(aug.images[0], aug.images[1])
    with pytest.raises(FileNotFoundError, match="not on this machine"):
        data.olivetti_faces(data_home=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="LFW"):
        data.lfw_people(data_home=str(tmp_path))


# --- the classical baseline ------------------------------------------------------------------------

def test_pca_equals_sklearn_up_to_sign():
    x = np.random.default_rng(0).normal(size=(50, 12)) @ np.random.default_rng(1).normal(size=(12, 12))
    p = fc.pca_fit(x, 6)
    sk = PCA(6, svd_solver="full").fit(x)
    signs = np.sign((p.components * sk.components_).sum(1))
    assert np.allclose(p.components, signs[:, None] * sk.components_, atol=1e-8)   # tolerance 1e-8
    assert np.allclose(p.values, sk.explained_variance_, rtol=1e-10)
    z = fc.project(x, p)
    assert np.allclose(z, signs * sk.transform(x), atol=1e-8)
    full = fc.pca_fit(x, 12)
    assert np.allclose(fc.reconstruct(fc.project(x, full), full), x, atol=1e-8)    # all components: exact


def test_lda_equals_sklearn_projection_up_to_sign_and_scale():
    rng = np.random.default_rng(2)
    y = np.repeat(np.arange(5), 30)
    x = rng.normal(size=(150, 8)) + 1.5 * rng.normal(size=(5, 8))[y]
    ours = fc.project(x, fc.lda_fit(x, y))
    theirs = LinearDiscriminantAnalysis(solver="eigen").fit(x, y).transform(x)
    for k in range(4):
        assert abs(np.corrcoef(ours[:, k], theirs[:, k])[0, 1]) > 1 - 1e-9


def test_fisherfaces_and_svm_recognise_generated_people():
    f = data.faces(20, 12, seed=0)
    x = fc.flatten_faces(f.images)
    train = np.arange(len(f)) % 12 < 8
    assert fc.fisherfaces_fit(x[train], f.identities[train]).components.shape == (19, 1024)   # N - c = 140 -> 19
    ff = fc.fisherfaces_fit(x[train], f.identities[train], n_pca=40)    # 160 images: fewer PCA dims generalise
    z = fc.project(x, ff)
    pred = fc.svm_on_projections(z[train], f.identities[train], z[~train])
    assert np.mean(pred == f.identities[~train]) > 0.4                  # chance is 0.05 (0.59 measured)
    with pytest.raises(ValueError, match="n_pca"):
        fc.fisherfaces_fit(x[train], f.identities[train], n_pca=200)


# --- metric learning -------------------------------------------------------------------------------

@pytest.mark.parametrize("n,d,margin", [(1, 3, 0.2), (7, 5, 1.0), (32, 16, 0.05)])
def test_triplet_loss_equals_torch(n, d, margin):
    g = torch.Generator().manual_seed(n)
    a, p, q = (torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(3))
    ours = fm.triplet_loss(a, p, q, margin)
    ref = torch.nn.TripletMarginLoss(margin=margin)(a, p, q)
    assert torch.allclose(ours, ref, atol=1e-12)                        # float64, tolerance 1e-12
    g1 = torch.autograd.grad(ours, (a, p, q))
    g2 = torch.autograd.grad(ref, (a, p, q))
    assert all(torch.allclose(u, v, atol=1e-12) for u, v in zip(g1, g2))


def test_batch_all_loss_equals_a_loop_over_triplets():
    rng = np.random.default_rng(3)
    e = torch.from_numpy(rng.normal(size=(9, 4)))
    y = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3])
    losses = [max(torch.dist(e[a], e[p]).item() - torch.dist(e[a], e[n]).item() + 0.5, 0.0)
              for a, p, n in itertools.permutations(range(9), 3) if y[a] == y[p] and y[a] != y[n]]
    want = sum(losses) / (sum(v > 1e-12 for v in losses) + 1)
    assert fm.batch_all_triplet_loss(e, y, 0.5).item() == pytest.approx(want, abs=1e-9)


def _brute_semi_hard(D, y, m):
    rows = []
    for a in range(len(D)):
        for p in range(len(D)):
            if p == a or y[p] != y[a]:
                continue
            cands = [(D[a, n], n) for n in range(len(D)) if y[n] != y[a] and D[a, p] < D[a, n] < D[a, p] + m]
            if cands:
                rows.append((a, p, min(cands)[1]))
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def test_mining_on_a_hand_made_batch_and_against_brute_force():
    pts = np.array([[0.0], [1.0], [1.1], [3.0], [0.3]])
    y = np.array([0, 0, 1, 1, 0])
    D = fm.distance_matrix(pts)
    assert np.allclose(D[0], [0, 1, 1.1, 3, 0.3], atol=1e-12)
    assert fm.batch_hard_triplets(D, y).tolist() == [[0, 1, 2], [1, 0, 2], [2, 3, 1], [3, 2, 1], [4, 1, 2]]
    # (0,1): d=1.0, negative 2 at 1.1 in (1.0, 1.2); (3,2): d=1.9, negative 1 at 2.0; (4,1): d=0.7, negative 2 at 0.8
    assert fm.semi_hard_triplets(D, y, 0.2).tolist() == [[0, 1, 2], [3, 2, 1], [4, 1, 2]]
    for seed in range(10):
        rng = np.random.default_rng(seed)
        D = fm.distance_matrix(rng.normal(size=(12, 2)))
        y = rng.integers(0, 3, 12)
        semi = fm.semi_hard_triplets(D, y, 0.5)
        assert np.array_equal(semi, _brute_semi_hard(D, y, 0.5))
        losses = fm.triplet_losses(D, semi, 0.5)
        assert ((losses > 0) & (losses < 0.5)).all()                     # semi-hard: loss in (0, alpha)


def test_random_triplets_are_valid_and_mostly_easy_for_a_good_embedding():
    y = np.repeat(np.arange(10), 5)
    e = np.eye(10)[y] * 3 + np.random.default_rng(0).normal(0, 0.1, (50, 10))
    t = fm.random_triplets(y, 200, np.random.default_rng(1))
    assert (y[t[:, 0]] == y[t[:, 1]]).all() and (y[t[:, 0]] != y[t[:, 2]]).all() and (t[:, 0] != t[:, 1]).all()
    assert fm.zero_loss_fraction(fm.distance_matrix(e), t, 0.2) == 1.0
    with pytest.raises(ValueError, match="two images"):
        fm.random_triplets(np.arange(5), 3, np.random.default_rng(0))


def test_embedder_shapes_and_checkpoint_roundtrip(tmp_path):
    torch.manual_seed(0)
    m = fm.FaceEmbedder(width=4, dim=8)
    e = fm.embed(m, np.zeros((3, 1, 32, 32), np.float32))
    assert e.shape == (3, 8) and np.allclose(np.linalg.norm(e, axis=1), 1, atol=1e-5)
    fm.save_embedder(m, tmp_path / "m.pt", {"x": 1})
    m2, meta = fm.load_embedder(tmp_path / "m.pt")
    assert meta == {"x": 1} and np.allclose(fm.embed(m2, np.ones((2, 1, 32, 32), np.float32)),
                                            fm.embed(m, np.ones((2, 1, 32, 32), np.float32)), atol=2e-2)
    with pytest.raises(ValueError, match="images"):
        fm.embed(m, np.zeros((2, 3, 32, 32), np.float32))


def test_committed_checkpoint_is_small_float16_with_meta():
    assert fm.CHECKPOINT.exists() and fm.CHECKPOINT.stat().st_size < 2e6
    raw = torch.load(fm.CHECKPOINT, weights_only=True)
    assert all(v.dtype == torch.float16 for v in raw["state_dict"].values() if v.is_floating_point())
    assert {"test_accuracy", "test_auc", "threshold", "loss"} <= set(raw["meta"])


def test_training_script_runs_on_a_tiny_schedule(tmp_path):
    spec = importlib.util.spec_from_file_location("train_faces", REPO / "data" / "train_faces.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "check.pt"
    meta = mod.main(["--epochs", "2", "--identities", "32", "--eval-identities", "10", "--width", "4",
                     "--out", str(out)])
    model, saved = fm.load_embedder(out)
    assert saved["epochs"] == 2 and len(saved["loss"]) == 2 and saved["test_auc"] == meta["test_auc"]
    assert 0.0 <= meta["test_accuracy"] <= 1.0 and out.stat().st_size < 2e6
    assert model(torch.zeros(2, 1, 32, 32)).shape == (2, 64)


# --- verification and recognition --------------------------------------------------------------------

def test_false_accept_probability_hand_value():
    assert faces.false_accept_probability(0.01, 100) == pytest.approx(1 - 0.99 ** 100, abs=1e-15)
    assert faces.false_accept_probability(0.0, 10 ** 6) == 0.0 and faces.false_accept_probability(0.5, 1) == 0.5


def test_pairs_distances_and_features():
    y = np.array([0, 0, 1, 1, 1, 2])
    i, j, same = faces.make_pairs(y, 50, np.random.default_rng(0))
    assert same.sum() == 25 and (i != j).all() and np.array_equal(y[i] == y[j], same)
    a, b = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[3.0, 2.0], [0.0, 1.0]])
    assert np.allclose(faces.pair_distances(a, b), [2.0, 1.0])
    assert np.allclose(faces.pair_distances(a, b, "chi2"), [4 / 4, 1.0])       # (1-3)^2/(1+3) + 0; 0 + 1/1
    assert np.allclose(faces.pair_features(a, b, "chi2"), [[1.0, 0.0], [0.0, 1.0]])
    assert np.allclose(faces.pair_distances(a, 2 * a, "cosine"), [0.0, 1.0], atol=1e-12)
    with pytest.raises(ValueError, match="two or more images"):
        faces.make_pairs(np.arange(4), 3, np.random.default_rng(0))


def test_roc_curve_and_auc_equal_sklearn():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        s = np.round(rng.random(60), 1)                                      # many ties
        same = rng.random(60) < 0.4
        fpr, tpr, thr = faces.roc_curve(s, same)
        f2, t2, th2 = sk_roc_curve(same, s, drop_intermediate=False)
        assert np.allclose(fpr, f2, atol=1e-12) and np.allclose(tpr, t2, atol=1e-12)
        assert np.allclose(thr[1:], th2[1:]) and thr[0] == np.inf
        assert faces.roc_auc(fpr, tpr) == pytest.approx(roc_auc_score(same, s), abs=1e-12)


def test_roc_point_counts_and_threshold_choice():
    d = np.array([0.1, 0.4, 0.5, 0.7, 0.2, 0.9])
    s = np.array([True, True, False, False, True, False])
    assert faces.confusion_counts(d, s, 0.5) == {"tp": 3, "fn": 0, "fp": 1, "tn": 2}
    assert faces.roc_point(d, s, 0.5) == pytest.approx((1 / 3, 1.0))
    tau = faces.choose_threshold(d, s)
    assert tau == pytest.approx(0.45) and faces.verification_accuracy(d, s, tau) == 1.0
    rng = np.random.default_rng(4)
    d, s = rng.random(40), rng.random(40) < 0.5
    best = max(faces.verification_accuracy(d, s, t) for t in np.r_[0, d])   # brute force over every cut
    assert faces.verification_accuracy(d, s, faces.choose_threshold(d, s)) == best


def test_recognize_with_not_recognized_and_bad_inputs():
    db = np.array([[0.0, 0.0], [1.0, 0.0]])
    lab = np.array([7, 9])
    got, dist = faces.recognize(np.array([[0.1, 0.0], [0.9, 0.1], [5.0, 5.0]]), db, lab, 0.5)
    assert got.tolist() == [7, 9, -1] and dist[0] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="database"):
        faces.recognize(np.zeros((1, 2)), np.zeros((0, 2)), np.zeros(0, dtype=np.int64), 0.5)
    with pytest.raises(ValueError, match="threshold"):
        faces.verify(np.array([0.1]), -0.1)
    with pytest.raises(ValueError, match="queries"):
        faces.recognize(np.zeros((1, 3)), db, lab, 0.5)


def test_widget_states():
    d = np.array([0.1, 0.4, 0.5, 0.7, 0.2, 0.9])
    s = np.array([True, True, False, False, True, False])
    st = faces.threshold_state(d, s, 0.45)
    assert st["counts"] == {"tp": 3, "fn": 0, "fp": 0, "tn": 3} and st["accuracy"] == 1.0
    assert st["examples"]["true accept"] == [1, 4] and st["examples"]["false accept"] == []
    assert st["examples"]["true reject"] == [2, 3]
    assert "outside" in faces.threshold_state(d, s, 1.5)["message"]
    e = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    r = faces.recognition_state(2, e, np.array([5, 6, 8]), e[:2], np.array([5, 6]), 1.0)
    assert r["answer"] == -1 and r["enrolled"] is False and r["correct"] is True
    r = faces.recognition_state(1, e, np.array([5, 6, 8]), e[:2], np.array([5, 6]), 1.0)
    assert r["answer"] == 6 and r["correct"] and r["nearest"].tolist() == [1, 0]
    assert "does not exist" in faces.recognition_state(3, e, np.array([5, 6, 8]), e[:2], np.array([5, 6]), 1.0)["message"]


# --- the notebook's exercises: the visible checks catch the usual slips ---------------------------------

def _exercise_cells() -> dict[str, str]:
    import nbformat

    nb = nbformat.read(REPO / "notebooks" / "09_face_recognition.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.cell_type == "code" and "grade_id" in c.metadata.get("nbgrader", {})}


def _run_exercise(grade_id: str, edits: list[tuple[str, str]]) -> None:
    """The solution cell with ``edits`` (each must match once), then the visible part of its
    test cell, in one namespace as the notebook's kernel has it (tests/test_known_wrong_variants.py)."""
    cells = _exercise_cells()
    answer = cells[grade_id]
    for old, new in edits:
        assert answer.count(old) == 1, (grade_id, old)
        answer = answer.replace(old, new)
    visible = cells[grade_id + "_test"].split("### BEGIN HIDDEN TESTS")[0]
    visible = visible.replace("grading = importlib.reload(grading)", "")
    x = fc.flatten_faces(data.faces(12, 4, seed=0).images)
    ns = {"np": np, "torch": torch, "faces": faces, "faces_metric": fm, "faces_classical": fc, "X": x,
          "eig": fc.pca_fit(x, 10)}
    exec(compile(answer, f"<{grade_id}>", "exec"), ns)
    exec(compile(visible, f"<{grade_id}_test>", "exec"), ns)


WRONG_09 = [
    ("09_eigenface_projection", "mean face not subtracted", [("(x - mean) @", "x @")]),
    ("09_eigenface_projection", "one scalar mean instead of the mean face", [("(x - mean) @", "(x - mean.mean()) @")]),
    ("09_verify", "< instead of <=", [(" <= tau", " < tau")]),
    ("09_verify", "squared distance", [("np.sqrt(((emb_a - emb_b) ** 2).sum(axis=1))", "((emb_a - emb_b) ** 2).sum(axis=1)")]),
    ("09_verify", "summed over the wrong axis", [("sum(axis=1)", "sum(axis=0)")]),
    ("09_triplet_loss", "squared distances (FaceNet's form, not TripletMarginLoss)",
     [("np.sqrt(((a - p) ** 2).sum(axis=1))", "((a - p) ** 2).sum(axis=1)"),
      ("np.sqrt(((a - n) ** 2).sum(axis=1))", "((a - n) ** 2).sum(axis=1)")]),
    ("09_triplet_loss", "no hinge at 0", [("np.maximum(d_ap - d_an + margin, 0.0)", "d_ap - d_an + margin")]),
    ("09_triplet_loss", "sum instead of mean", [("np.mean(", "np.sum(")]),
    ("09_semi_hard", "the hardest negative instead of a semi-hard one",
     [("(D[a, neg] > D[a, p]) & (D[a, neg] < D[a, p] + margin)", "D[a, neg] < np.inf")]),
    ("09_semi_hard", "upper bound not strict", [("D[a, neg] < D[a, p] + margin", "D[a, neg] <= D[a, p] + margin")]),
    ("09_semi_hard", "the farthest semi-hard negative", [("np.argmin(D[a, ok])", "np.argmax(D[a, ok])")]),
    ("09_roc_point", "(tpr, fpr) swapped",
     [("return float(fp / max(fp + tn, 1)), float(tp / max(tp + fn, 1))",
       "return float(tp / max(tp + fn, 1)), float(fp / max(fp + tn, 1))")]),
    ("09_roc_point", "< instead of <=", [("d <= tau", "d < tau")]),
    ("09_roc_point", "counts over all pairs instead of rates per class",
     [("max(fp + tn, 1)", "len(d)"), ("max(tp + fn, 1)", "len(d)")]),
]


@pytest.mark.parametrize("grade_id,what,edits", WRONG_09, ids=[f"{g}: {w}" for g, w, _ in WRONG_09])
def test_known_wrong_answer_fails_the_visible_check(grade_id, what, edits):
    with pytest.raises(AssertionError) as info:
        _run_exercise(grade_id, edits)
    assert type(info.value).__name__ in ("CheckFailed", "ForbiddenCall"), (what, type(info.value))
    assert str(info.value).startswith("\u2718") and len(str(info.value)) > 30, (what, str(info.value))


@pytest.mark.parametrize("grade_id", sorted({g for g, _, _ in WRONG_09}))
def test_reference_answer_passes_the_same_visible_check(grade_id, capsys):
    _run_exercise(grade_id, [])
    assert "correct" in capsys.readouterr().out
