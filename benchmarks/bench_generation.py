"""Generation speed of the book's LLMs on both backends, in one run: SmolLM2-135M-Instruct and
Qwen2.5-Coder-0.5B-Instruct, each on transformers (GGUF dequantised to float32) and on llama.cpp
(``xllamacpp``, the GGUF's own quantised weights).

    PYTHONPATH=src python benchmarks/bench_generation.py [--repeats 3] [--new-tokens 48] [--skip-qwen-transformers]

For every model x backend: the same 4 raw-text prompts continued greedily for up to ``--new-tokens``
tokens, (a) one prompt at a time and (b) the 4 together as one batch (transformers: one padded batch;
llama.cpp: 4 parallel slots). Tokens/s = generated tokens / wall time of the call (prompt processing
included); the median over ``--repeats`` repeats after one untimed warm-up. Writes its section of
``benchmarks/results.md`` (between the ``bench_generation`` markers), leaving the rest of the file alone.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # before llama.cpp or torch load their thread pools

RESULTS = Path(__file__).resolve().parent / "results.md"
MARK = "bench_generation"
PROMPTS = [
    "The history of the printing press begins",
    "A retrieval-augmented language model answers a question by",
    "Photosynthesis is the process by which plants",
    "The capital cities of Europe include",
]


def _transformers_qwen():
    """Qwen's Q4_K_M GGUF dequantised by transformers (float32, ~2 GB in memory): for the comparison only."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from irbook import model_registry
    from irbook.llm import LLM, _quiet_transformers

    path = model_registry.model_path("qwen2.5-coder-0.5b")
    with _quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    return LLM(model.eval(), tokenizer, name="qwen2.5-coder-0.5b", device="cpu")


def _count(model, outputs) -> int:
    if model.backend == "llama.cpp":
        return sum(int(t.get("predicted_n", 0)) for t in model.last_timings)
    return sum(len(model.tokenizer(o, add_special_tokens=False)["input_ids"]) for o in outputs)


def measure(model, repeats: int, new_tokens: int) -> dict:
    speeds = {"batch 1": [], "batch 4": []}
    model.generate(PROMPTS[:1], max_new_tokens=4)  # warm-up
    for _ in range(repeats):
        tokens, seconds = 0, 0.0
        for prompt in PROMPTS:
            start = time.perf_counter()
            out = model.generate([prompt], max_new_tokens=new_tokens)
            seconds += time.perf_counter() - start
            tokens += _count(model, out)
        speeds["batch 1"].append(tokens / seconds)
        start = time.perf_counter()
        out = model.generate(PROMPTS, max_new_tokens=new_tokens, batch_size=4)
        seconds = time.perf_counter() - start
        speeds["batch 4"].append(_count(model, out) / seconds)
    return {k: statistics.median(v) for k, v in speeds.items()} | {"runs": speeds}


def write_section(text: str, mark: str = MARK) -> None:
    """Put ``text`` between ``<!-- mark: begin -->`` and ``<!-- mark: end -->`` in results.md, the rest untouched."""
    BEGIN, END = f"<!-- {mark}: begin -->", f"<!-- {mark}: end -->"
    old = RESULTS.read_text() if RESULTS.exists() else ""
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in old and END in old:
        new = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, old, flags=re.S)
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(new)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--new-tokens", type=int, default=48)
    parser.add_argument("--threads", type=int, default=2, help="torch and llama.cpp threads")
    parser.add_argument("--skip-qwen-transformers", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    import torch

    from irbook.llm import llm

    torch.set_num_threads(args.threads)
    load_avg = [os.getloadavg()[0]]
    started = time.perf_counter()
    rows = []
    loaders = [
        ("SmolLM2-135M-Instruct (Q4_1 GGUF)", "transformers (float32)", lambda: llm("smollm2", device="cpu")),
        ("SmolLM2-135M-Instruct (Q4_1 GGUF)", "llama.cpp", lambda: llm("smollm2", backend="llama.cpp", n_ctx=512, n_parallel=4)),
        ("Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF)", "llama.cpp",
         lambda: llm("qwen2.5-coder-0.5b", n_ctx=512, n_parallel=4)),
    ]
    if not args.skip_qwen_transformers:
        loaders.append(("Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF)", "transformers (float32)", _transformers_qwen))
    for model_name, backend, load in loaders:
        start = time.perf_counter()
        model = load()
        loaded = time.perf_counter() - start
        result = measure(model, args.repeats, args.new_tokens)
        load_avg.append(os.getloadavg()[0])
        rows.append((model_name, backend, loaded, result))
        print(f"{model_name} | {backend}: load {loaded:.1f} s, batch 1 {result['batch 1']:.1f} tok/s, "
              f"batch 4 {result['batch 4']:.1f} tok/s  runs {result['runs']}", flush=True)
        del model

    import xllamacpp
    import transformers

    lines = [
        "## Generation speed: transformers vs llama.cpp (`bench_generation.py`)",
        "",
        f"{len(PROMPTS)} raw-text prompts continued greedily for up to {args.new_tokens} new tokens; tokens/s = "
        "generated tokens / wall time (prompt processing included), median of "
        f"{args.repeats} repeats after a warm-up. Batch 1: the prompts one at a time; batch 4: all four in one call "
        "(transformers: one left-padded batch; llama.cpp: four parallel slots).",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs shared with other "
        f"jobs (1-min load average {min(load_avg):.1f} to {max(load_avg):.1f} during the run, so these are "
        f"lower bounds for an idle machine); {args.threads} threads; torch {torch.__version__}, transformers "
        f"{transformers.__version__}, xllamacpp {xllamacpp.__version__} (prebuilt CPU wheel), OMP_WAIT_POLICY=passive.",
        "",
        "| model | backend | load | tokens/s, batch 1 | tokens/s, batch 4 |",
        "|---|---|---:|---:|---:|",
        *[f"| {m} | {b} | {t:.1f} s | {r['batch 1']:.1f} | {r['batch 4']:.1f} |" for m, b, t, r in rows],
        "",
        "Load times: transformers loads SmolLM2 from its converted safetensors cache and dequantises Qwen's GGUF "
        "on every load; llama.cpp memory-maps the GGUF.",
        f"Whole benchmark: {time.perf_counter() - started:.0f} s wall.",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
