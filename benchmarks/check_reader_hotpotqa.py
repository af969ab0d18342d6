"""A quick sanity check of the reader: Qwen2.5-Coder-0.5B-Instruct through llama.cpp answers the first few
HotpotQA-100 questions given their gold (supporting) passages, with the book's RAG prompt. Prints question,
gold answers and the reply; a sample of three, not an evaluation (chapter 1 evaluates the readers).

    PYTHONPATH=src IRBOOK_DATA=/work/shared/data python benchmarks/check_reader_hotpotqa.py [--n 3]
"""
from __future__ import annotations

import argparse
import time

from irbook.data import load_hotpotqa
from irbook.llm import llm, rag_messages, short_answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    args = parser.parse_args()
    data = load_hotpotqa()
    reader = llm(args.model)
    qids = data.queries.ids[: args.n]
    prompts = []
    for qid in qids:
        passages = [{"title": data.corpus.titles[data.corpus.ids.index(d)], "text": data.corpus.texts[data.corpus.ids.index(d)]}
                    for d in data.qrels[qid]]
        prompts.append(rag_messages(data.queries.texts[data.queries.ids.index(qid)], passages))
    start = time.perf_counter()
    replies = reader.chat(prompts, max_new_tokens=32)
    seconds = time.perf_counter() - start
    for qid, messages, reply in zip(qids, prompts, replies):
        question = messages[-1]["content"].split("\n", 1)[0]
        print(f"{question}\n  gold: {data.answers[qid]}\n  reply: {reply!r} -> short answer {short_answer(reply)!r}")
    print(f"{reader!r}: {len(qids)} answers in {seconds:.1f} s")


if __name__ == "__main__":
    main()
