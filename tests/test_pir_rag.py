"""Chapter 14 (PIR-RAG): the chapter's code (irbook.chapters.ch14_pir_rag) and its view, headless."""
import numpy as np
import pytest

from irbook.chapters.ch14_pir_rag import (MODES, LWEParams, LWEQuery, centered, gf2_independent_rows, gf2_inverse,
                                          lwe_decrypt, lwe_encrypt, lwe_setup, matmul_mod_2_32, matvec_mod_2_32,
                                          pad_records, pir_query, quantize, record_columns, record_from_columns,
                                          scoring_matrix, scoring_query, server_answer, simplepir_pick_params,
                                          solve_mod_power_of_two, square_layout)
from irbook.widgets.pir_rag import LWEQueryInspector


def make_inspector(m=256, n=64, index=77, sigma=6.4, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**32, size=(m, n), dtype=np.uint32)
    secret = rng.integers(0, 2**32, size=n, dtype=np.uint32)
    error = np.rint(rng.normal(0, sigma, size=m)).astype(np.int64)
    return LWEQuery(a, secret, error, index=index, delta=2**24)


def test_gf2_inverse_is_an_inverse():
    rng = np.random.default_rng(1)
    for _ in range(20):
        mat = rng.integers(0, 2, size=(32, 32), dtype=np.uint8)
        inv = gf2_inverse(mat)
        if inv is not None:
            assert np.array_equal((mat.astype(int) @ inv) % 2, np.eye(32, dtype=int))
            return
    pytest.fail("no invertible 32x32 matrix over GF(2) in 20 draws")


def test_gf2_inverse_detects_singular():
    mat = np.ones((8, 8), dtype=np.uint8)
    assert gf2_inverse(mat) is None
    with pytest.raises(ValueError):
        gf2_inverse(np.ones((3, 4), dtype=np.uint8))


def test_independent_rows_span():
    rng = np.random.default_rng(2)
    bits = rng.integers(0, 2, size=(100, 40), dtype=np.uint8)
    rows = gf2_independent_rows(bits, rng.permutation(100))
    assert rows is not None and len(set(rows.tolist())) == 40
    assert gf2_inverse(bits[rows]) is not None


def test_hensel_solves_mod_2_32():
    rng = np.random.default_rng(3)
    while True:
        a = rng.integers(0, 2**32, size=(48, 48), dtype=np.uint64)
        if gf2_inverse((a & 1).astype(np.uint8)) is not None:
            break
    x_true = rng.integers(0, 2**32, size=48, dtype=np.uint64)
    c = (a @ x_true) & np.uint64(2**32 - 1)
    x = solve_mod_power_of_two(a, c, 32)
    assert np.array_equal((a @ x) & np.uint64(2**32 - 1), c)


def test_real_query_hides_the_index():
    insp = make_inspector()
    assert insp.rounding_attack(MODES[0]) is None
    assert insp.algebraic_attack(MODES[0]) is None
    assert insp.uniformity_pvalue(MODES[0]) > 1e-4


def test_no_secret_leaks_by_rounding():
    insp = make_inspector()
    assert insp.rounding_attack(MODES[2]) == 77
    assert insp.state(MODES[2])["leaks"]


def test_no_noise_leaks_by_algebra_only_when_query_longer_than_secret():
    insp = make_inspector(m=256, n=64)
    assert insp.rounding_attack(MODES[1]) is None  # A·s masks every entry
    assert insp.algebraic_attack(MODES[1]) == 77
    short = make_inspector(m=48, n=64, index=5)
    assert short.algebraic_attack(MODES[1]) is None  # A·s is uniform when M <= n


def test_query_matches_definition():
    insp = make_inspector(m=64, n=16, index=3)
    c = insp.query(MODES[0]).astype(object)
    expected = [(int(sum(int(x) * int(y) for x, y in zip(row, insp.secret))) + int(e) + (2**24 if i == 3 else 0))
                % 2**32
                for i, (row, e) in enumerate(zip(insp.a, insp.error))]
    assert list(c) == expected


def test_bad_input_raises():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2**32, size=(10, 4), dtype=np.uint32)
    with pytest.raises(ValueError, match="secret"):
        LWEQuery(a, np.zeros(5), np.zeros(10), index=0, delta=2**24)
    with pytest.raises(ValueError, match="error"):
        LWEQuery(a, np.zeros(4), np.zeros(9), index=0, delta=2**24)
    with pytest.raises(ValueError, match="index"):
        LWEQuery(a, np.zeros(4), np.zeros(10), index=10, delta=2**24)
    insp = LWEQuery(a, np.zeros(4), np.zeros(10), index=1, delta=2**24)
    with pytest.raises(ValueError, match="mode"):
        insp.query("no such mode")
    with pytest.raises(ValueError, match="p must"):
        LWEParams(p=1)
    with pytest.raises(TypeError, match="LWEQuery"):
        LWEQueryInspector("not a query")
    with pytest.raises(ValueError, match="window"):
        LWEQueryInspector(insp, window=1)


def test_view_renders_figure_readout_and_widget():
    view = LWEQueryInspector(make_inspector())
    fig, readout = view.render(MODES[2])
    assert len(fig.data) == 2 and max(fig.data[0].y) == 1
    assert "leaks" in readout and "hidden" in view.readout(MODES[0])
    box = view.widget()
    assert len(box.children) == 3


def test_kernels_match_python_integers():
    rng = np.random.default_rng(4)
    d = rng.integers(0, 256, (13, 70), dtype=np.uint8)
    c = rng.integers(0, 2**32, (70, 3), dtype=np.uint32)
    exact = (d.astype(object) @ c.astype(object)) % 2**32
    assert (matmul_mod_2_32(d, c) == exact).all()
    assert (matvec_mod_2_32(d, c[:, 0]) == exact[:, 0]).all()


def test_pir_fetch_round_trip_on_a_small_database():
    rng = np.random.default_rng(5)
    blobs = [bytes(rng.integers(0, 256, size=int(rng.integers(50, 200)), dtype=np.uint8)) for _ in range(7)]
    padded = pad_records(blobs)
    D, r = square_layout(padded)
    params = LWEParams(n=64, p=256, sigma=6.4)
    A, H = lwe_setup(D, params, seed=1)
    for j in (0, 3, 6):
        S, C = pir_query(A, record_columns([j], r), params, rng)
        values = lwe_decrypt(H, S, server_answer(D, C), params).astype(np.uint8)
        assert np.array_equal(record_from_columns(values, padded.shape[1]), padded[j])


def test_private_scores_equal_plaintext_inner_products():
    rng = np.random.default_rng(6)
    emb = rng.normal(size=(30, 16))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    members_of = [np.arange(0, 12), np.arange(12, 20), np.arange(20, 30)]
    quantized = quantize(emb, 64)
    plain = scoring_matrix(members_of, quantized)
    params = LWEParams(n=64, p=2**16, sigma=6.4)
    A, H = lwe_setup((plain % 2**32).astype(np.uint32), params, seed=2)
    query = quantize(emb[25:26], 64)[0]
    S, C = lwe_encrypt(A, scoring_query(query, 2, 3), params, rng)
    scores = centered(lwe_decrypt(H, S, server_answer((plain % 2**32).astype(np.uint32), C), params)[:, 0], 2**16)
    expected = quantized[members_of[2]].astype(np.int64) @ query.astype(np.int64)
    assert np.array_equal(scores[:len(members_of[2])], expected)
    assert scores[len(members_of[2]):].tolist() == [0, 0]  # padding rows of the block


def test_simplepir_parameters_for_one_gigabyte():
    chosen = simplepir_pick_params(2**33, entry_bits=1)
    assert chosen["p"] == 701 and 2**14 < chosen["m"] <= 2**15
    assert abs(chosen["hint_bytes"] / 2**20 - 121) < 1  # SimplePIR's published 121 MB hint (MiB)
