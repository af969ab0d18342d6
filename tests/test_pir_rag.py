"""Chapter 14 (PIR-RAG): the LWE query inspector's attacks and its GF(2) / Hensel helpers, headless."""
import numpy as np
import pytest

from irbook.widgets.pir_rag import (MODES, LWEQueryInspector, gf2_independent_rows, gf2_inverse,
                                    solve_mod_power_of_two)


def make_inspector(m=256, n=64, index=77, sigma=6.4, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**32, size=(m, n), dtype=np.uint32)
    secret = rng.integers(0, 2**32, size=n, dtype=np.uint32)
    error = np.rint(rng.normal(0, sigma, size=m)).astype(np.int64)
    return LWEQueryInspector(a, secret, error, index=index, delta=2**24)


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
    expected = [(int(sum(int(x) * int(y) for x, y in zip(row, insp.secret))) + int(e) + (2**24 if i == 3 else 0)) % 2**32
                for i, (row, e) in enumerate(zip(insp.a, insp.error))]
    assert list(c) == expected


def test_bad_input_raises():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2**32, size=(10, 4), dtype=np.uint32)
    with pytest.raises(ValueError):
        LWEQueryInspector(a, np.zeros(5), np.zeros(10), index=0, delta=2**24)
    with pytest.raises(ValueError):
        LWEQueryInspector(a, np.zeros(4), np.zeros(9), index=0, delta=2**24)
    with pytest.raises(ValueError):
        LWEQueryInspector(a, np.zeros(4), np.zeros(10), index=10, delta=2**24)
    insp = LWEQueryInspector(a, np.zeros(4), np.zeros(10), index=1, delta=2**24)
    with pytest.raises(ValueError):
        insp.query("no such mode")


def test_figure_readout_and_widget():
    insp = make_inspector()
    fig = insp.figure(MODES[2])
    assert len(fig.data) == 2 and max(fig.data[0].y) == 1
    assert "leaks" in insp.readout(MODES[2]) and "hidden" in insp.readout(MODES[0])
    box = insp.widget()
    assert len(box.children) == 3
