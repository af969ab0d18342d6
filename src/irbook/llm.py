"""A thin, explicit wrapper around a Hugging Face causal LM: chat, raw generation, log-probabilities
of continuations and pooled hidden states, batched with left padding. Plus the book's RAG prompts.

Load one with :func:`irbook.models.llm`. Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

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


def rag_messages(question: str, passages: Sequence[Any], instruction: str | None = None) -> Messages:
    """Chat messages that ask for a short answer to ``question`` from numbered ``passages``.

    ``passages`` are strings or dicts with ``text`` and optional ``title`` (a corpus row works).
    Short and plain, because a 135M-parameter model follows simple prompts best.

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
    return [{"role": "system", "content": _SYSTEM_SHORT}, {"role": "user", "content": user}]


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


class LLM:
    """A causal language model with its tokenizer, ready for batched inference.

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

    def __repr__(self) -> str:
        return f"LLM(name={self.name!r}, device={self.device!r}, n_layers={self.n_layers})"

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
    ) -> list[str]:
        """Answer each prompt as the assistant; returns one string per prompt.

        ``prompts`` is a str, a list of str, one conversation (a list of ``{"role", "content"}`` dicts)
        or a list of conversations; a single prompt or conversation gives a list of one.

        ``temperature=0`` decodes greedily, so batched and one-by-one answers agree.
        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        texts = [self.chat_text(c) for c in self._conversations(prompts, system)]
        return self._generate(texts, False, max_new_tokens, temperature, batch_size, seed)

    def generate(
        self,
        texts: str | list[str],
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        batch_size: int = 8,
        seed: int | None = None,
    ) -> list[str]:
        """Continue each raw text (no chat template); returns the continuations only.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        return self._generate(_string_list(texts, "texts"), True, max_new_tokens, temperature, batch_size, seed)

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
