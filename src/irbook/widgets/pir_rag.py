"""What the PIR server sees: an LWE-encrypted one-hot query, and what leaks without its noise or secret.

Introduced in chapter 14 (:doc:`14_pir_rag`). A SimplePIR-style query is ``c = A·s + e + Δ·u (mod q)``: ``A`` is
public, ``s`` is the client's secret, ``e`` small noise and ``u`` the one-hot vector of the wanted column.
:class:`LWEQueryInspector` holds one such query and plays the server's side: it runs two honest attacks on
each variant of the query (the real one, one with ``e = 0``, one with ``s = 0``) and reports what they find.
The logic runs headless (tests drive it); :meth:`LWEQueryInspector.widget` wraps it in ipywidgets.

- the *rounding attack* divides each entry by ``Δ`` and rounds: it reads ``u`` straight off a query without secret;
- the *algebraic attack* solves ``A_S·x = c_S (mod 2^k)`` on ``n`` rows ``S`` (linear algebra over GF(2), then
  Hensel lifting bit by bit) and checks whether ``c - A·x`` is ``Δ`` times a one-hot: it recovers ``u`` from a
  noiseless query as soon as the query has more entries than the secret (``M > n``), and fails on a real one.
"""
from __future__ import annotations

import numpy as np

MODES = ("LWE query (A·s + e + Δ·u)", "no noise (A·s + Δ·u)", "no secret (e + Δ·u)")


def gf2_independent_rows(matrix_bits: np.ndarray, order: np.ndarray) -> np.ndarray | None:
    """Indices of ``n`` rows of a 0/1 matrix ``(M, n)`` that are independent over GF(2), scanned in ``order``.

    Returns None when the rows span less than GF(2)^n. Gaussian elimination on bit-packed rows, so that a
    4096 x 1024 matrix takes well under a second.
    """
    m, n = matrix_bits.shape
    rows = np.packbits(matrix_bits[order].astype(np.uint8), axis=1)  # (M, n/8) bytes
    alive = np.ones(m, dtype=bool)
    chosen = []
    for col in range(n):
        byte, bit = divmod(col, 8)
        has_bit = ((rows[:, byte] >> (7 - bit)) & 1).astype(bool) & alive
        candidates = np.flatnonzero(has_bit)
        if candidates.size == 0:
            return None
        pivot = candidates[0]
        alive[pivot] = False
        others = candidates[1:]
        rows[others] ^= rows[pivot]
        chosen.append(pivot)
    return np.sort(order[np.array(chosen)])


def gf2_inverse(matrix_bits: np.ndarray) -> np.ndarray | None:
    """The inverse over GF(2) of a square 0/1 matrix (as uint8 0/1), or None when it is singular."""
    n = matrix_bits.shape[0]
    if matrix_bits.shape != (n, n):
        raise ValueError(f"gf2_inverse needs a square matrix, got shape {matrix_bits.shape}")
    augmented = np.packbits(np.concatenate([matrix_bits.astype(np.uint8), np.eye(n, dtype=np.uint8)], axis=1), axis=1)
    for col in range(n):
        byte, bit = divmod(col, 8)
        column = (augmented[:, byte] >> (7 - bit)) & 1
        below = np.flatnonzero(column[col:]) + col
        if below.size == 0:
            return None
        pivot = below[0]
        if pivot != col:
            augmented[[col, pivot]] = augmented[[pivot, col]]
        hits = np.flatnonzero((augmented[:, byte] >> (7 - bit)) & 1)
        hits = hits[hits != col]
        augmented[hits] ^= augmented[col]
    return np.unpackbits(augmented, axis=1)[:, n:2 * n]


def solve_mod_power_of_two(a: np.ndarray, c: np.ndarray, log_q: int) -> np.ndarray | None:
    """Solve ``a·x = c (mod 2^log_q)`` for a square ``a`` that is invertible mod 2 (Hensel lifting); else None."""
    inverse_mod2 = gf2_inverse((a & 1).astype(np.uint8))
    if inverse_mod2 is None:
        return None
    mask = np.uint64((1 << log_q) - 1)
    a64, c64 = a.astype(np.uint64), c.astype(np.uint64)
    inv = inverse_mod2.astype(np.float64)  # 0/1 entries, sums <= n: exact in float64
    x = np.zeros(a.shape[1], dtype=np.uint64)
    for k in range(log_q):
        residual = (c64 - a64 @ x) & mask  # divisible by 2^k after k steps
        bit = ((residual >> np.uint64(k)) & np.uint64(1)).astype(np.float64)
        x |= (np.rint(inv @ bit).astype(np.uint64) & np.uint64(1)) << np.uint64(k)
    return x & mask


class LWEQueryInspector:
    """One SimplePIR query and the server's two attacks on it, with and without its noise or secret.

    Parameters
    ----------
    a : public matrix ``(M, n)`` of uint32 (mod ``q = 2^log_q``).
    secret : the client's secret ``(n,)``; error : the noise ``(M,)`` as signed integers.
    index : the hidden column (0 <= index < M); delta : the scale ``Δ = q / p``.
    """

    def __init__(self, a, secret, error, index: int, delta: int, log_q: int = 32):
        a, secret, error = np.asarray(a), np.asarray(secret), np.asarray(error)
        if a.ndim != 2:
            raise ValueError(f"a must be a matrix (M, n), got shape {a.shape}")
        m, n = a.shape
        if secret.shape != (n,):
            raise ValueError(f"secret must have shape ({n},) to match a, got {secret.shape}")
        if error.shape != (m,):
            raise ValueError(f"error must have shape ({m},) to match a, got {error.shape}")
        if not (isinstance(index, (int, np.integer)) and 0 <= index < m):
            raise ValueError(f"index must be an int in [0, {m}), got {index!r}")
        if not 1 <= log_q <= 32:
            raise ValueError(f"log_q must be in 1..32 (uint32 arithmetic), got {log_q}")
        if not (isinstance(delta, (int, np.integer)) and 1 < delta < 2 ** log_q):
            raise ValueError(f"delta must be an int in (1, 2^{log_q}), got {delta!r}")
        self.a, self.secret, self.error = a.astype(np.uint64), secret.astype(np.uint64), error.astype(np.int64)
        self.index, self.delta, self.log_q = int(index), int(delta), log_q
        self.q = 1 << log_q
        self.p = self.q // self.delta
        self._states: dict[str, dict] = {}  # the attacks take about a second each: run them once per mode

    def onehot(self) -> np.ndarray:
        """The vector ``u`` the query hides."""
        u = np.zeros(self.a.shape[0], dtype=np.int64)
        u[self.index] = 1
        return u

    def query(self, mode: str = MODES[0]) -> np.ndarray:
        """The vector the server receives in ``mode`` (one of :data:`MODES`), as uint64 values mod q."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {MODES}")
        mask = np.uint64(self.q - 1)
        masked = (self.a @ self.secret) & mask if mode != MODES[2] else np.zeros(self.a.shape[0], np.uint64)
        noise = self.error if mode != MODES[1] else np.zeros_like(self.error)
        scaled = self.delta * self.onehot()
        return (masked + (noise + scaled).astype(np.uint64)) & mask  # int64 -> uint64 wraps mod 2^64, fine mod q

    def rounding_attack(self, mode: str = MODES[0]) -> int | None:
        """Round ``c/Δ`` (mod p): the index when exactly one entry rounds to 1 and the rest to 0, else None."""
        rounded = (np.rint(self.query(mode).astype(np.float64) / self.delta).astype(np.int64)) % self.p
        ones = np.flatnonzero(rounded)
        if ones.size == 1 and rounded[ones[0]] == 1:
            return int(ones[0])
        return None

    def algebraic_attack(self, mode: str = MODES[0], tries: int = 8, seed: int = 0) -> int | None:
        """Solve for a secret on ``n`` independent rows and check that ``c - A·x`` is ``Δ`` times a one-hot.

        Needs ``M > n`` rows: a query no longer than the secret is uniformly random whatever ``u`` is.
        Each try uses another random set of rows (it fails when the set holds the hidden index).
        """
        m, n = self.a.shape
        if m <= n:
            return None
        c = self.query(mode)
        rng = np.random.default_rng(seed)
        mask = np.uint64(self.q - 1)
        for _ in range(tries):
            rows = gf2_independent_rows((self.a & np.uint64(1)).astype(np.uint8), rng.permutation(m))
            if rows is None:
                return None
            x = solve_mod_power_of_two(self.a[rows], c[rows], self.log_q)
            if x is None:
                continue
            residual = (c - self.a @ x) & mask
            hits = np.flatnonzero(residual)
            if hits.size == 1 and residual[hits[0]] == self.delta:
                return int(hits[0])
        return None

    def uniformity_pvalue(self, mode: str = MODES[0], bins: int = 16) -> float:
        """Chi-square p-value of the query's top bits against the uniform law (high = looks uniform)."""
        from scipy.stats import chisquare

        top = (self.query(mode) >> np.uint64(self.log_q - int(np.log2(bins)))).astype(np.int64)
        counts = np.bincount(top, minlength=bins)
        return float(chisquare(counts).pvalue)

    def state(self, mode: str = MODES[0]) -> dict:
        """Everything the widget shows for ``mode``: the attacks' results and the uniformity test."""
        if mode in self._states:
            return dict(self._states[mode])
        rounding, algebraic = self.rounding_attack(mode), self.algebraic_attack(mode)
        self._states[mode] = {
            "mode": mode,
            "hidden_index": self.index,
            "rounding_attack": rounding,
            "algebraic_attack": algebraic,
            "leaks": self.index in (rounding, algebraic),
            "uniformity_pvalue": self.uniformity_pvalue(mode),
        }
        return dict(self._states[mode])

    def figure(self, mode: str = MODES[0], window: int = 64):
        """Left: the hidden one-hot around its index; right: the query the server receives, entries / q."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        m = self.a.shape[0]
        start = max(0, min(self.index - window // 2, m - window))
        positions = np.arange(start, min(m, start + window))
        fig = make_subplots(rows=1, cols=2, subplot_titles=("hidden one-hot u (what the client wants)",
                                                            f"what the server receives: {mode}"))
        fig.add_trace(go.Bar(x=positions, y=self.onehot()[positions], name="u"), row=1, col=1)
        fig.add_trace(go.Scatter(x=positions, y=self.query(mode)[positions] / self.q, mode="markers",
                                 name="c / q"), row=1, col=2)
        fig.update_yaxes(range=[0, 1.05], row=1, col=2, title_text="entry / q")
        fig.update_xaxes(title_text="column of the database")
        fig.update_layout(showlegend=False, height=340)
        return fig

    def readout(self, mode: str = MODES[0]) -> str:
        """The attacks' results for ``mode`` as a short HTML paragraph."""
        s = self.state(mode)

        def said(found):
            if found is None:
                return "finds nothing"
            return f"finds column {found} ({'correct' if found == self.index else 'wrong'})"

        verdict = "<b>the index leaks</b>" if s["leaks"] else "the index stays hidden"
        return (f"<p>Hidden column {self.index}. Rounding attack {said(s['rounding_attack'])}; algebraic attack "
                f"{said(s['algebraic_attack'])}; uniformity test of the top bits p = {s['uniformity_pvalue']:.3f}. "
                f"So {verdict}.</p>")

    def widget(self, mode: str = MODES[0]):
        """A mode selector driving the figure and the attacks' readout."""
        import ipywidgets as w

        from irbook.widgets import _display_data

        selector = w.ToggleButtons(options=list(MODES), value=mode, description="query")
        shown, readout = w.Output(), w.HTML()

        def redraw(chosen):
            shown.outputs = (_display_data(self.figure(chosen)),)
            readout.value = self.readout(chosen)

        redraw(mode)
        selector.observe(lambda change: redraw(change["new"]), names="value")
        return w.VBox([selector, shown, readout])
