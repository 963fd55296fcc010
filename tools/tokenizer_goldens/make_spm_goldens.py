#!/usr/bin/python3
"""Golden ids from the official SentencePiece library (Debian python3-sentencepiece),
with the Hugging Face id conventions applied by their published arithmetic:

  Llama 2 (LlamaTokenizer): ids = sp.encode(text); add_special -> [1] + ids.
  XLM-R (XLMRobertaTokenizer): piece id = spm_id + 1 if spm_id else 3 (<unk>);
      <s>=0 </s>=2; add_special -> [0] + ids + [2].
  NLLB (NllbTokenizer, legacy_behaviour False): same piece ids; language code i (order of
      special_tokens_map.json) = len(sp) + 1 + i; add_special -> [eng_Latn] + ids + [2].
  Unigram (a model trained here with spm_train, LlamaTokenizer class with
      add_bos_token false, add_eos_token true): add_special -> ids + [eos].

The real NLLB and XLM-R models are not available, so the conventions are exercised on the
BARThez SentencePiece BPE model (the same kind of file).

usage: make_spm_goldens.py SHARED_DATA OUT_DIR UNIGRAM_MODEL_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))


def cases(extra=()):
    with open(os.path.join(HERE, "texts.json"), encoding="utf-8") as f:
        return json.load(f) + list(extra)


def write(path, model, rows):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"generator": "Debian python3-sentencepiece %s + HF id arithmetic (see make_spm_goldens.py)"
                   % spm.__version__, "model": model, "cases": rows}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(path, len(rows), "cases")


def train_unigram(data, out_dir):
    """A small unigram model from CLINC150 utterances (deterministic: one thread, fixed seed)."""
    with open(os.path.join(data, "intent/data_full.json"), encoding="utf-8") as f:
        full = json.load(f)
    lines = [t for split in ("train", "val") for t, _ in full[split]]
    with open(os.path.join(HERE, "texts.json"), encoding="utf-8") as f:
        lines += [c["text"] for c in json.load(f) if c["text"].strip()]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        prefix = os.path.join(tmp, "unigram")
        subprocess.run(["spm_train", f"--input={corpus}", f"--model_prefix={prefix}", "--model_type=unigram",
                        "--vocab_size=800", "--character_coverage=1.0", "--num_threads=1",
                        "--random_seed=1", "--byte_fallback=true"], check=True, capture_output=True)
        os.makedirs(out_dir, exist_ok=True)
        with open(prefix + ".model", "rb") as src, open(os.path.join(out_dir, "tokenizer.model"), "wb") as dst:
            dst.write(src.read())
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "LlamaTokenizer", "add_bos_token": False, "add_eos_token": True,
                   "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}, f, indent=1)
        f.write("\n")


def main():
    data, out, unigram_dir = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)

    sp = spm.SentencePieceProcessor(model_file=os.path.join(data, "llama2c/tokenizer.model"))
    rows = []
    for c in cases():
        ids = sp.encode(c["text"])
        rows.append({**c, "ids": [1] + ids, "ids_no_special": ids})
    write(os.path.join(out, "llama2_spm.json"), "llama2c/tokenizer.model (Llama 2)", rows)

    sp = spm.SentencePieceProcessor(model_file=os.path.join(data, "spm/barthez_sentencepiece.bpe.model"))
    fairseq = lambda ids: [i + 1 if i else 3 for i in ids]  # noqa: E731
    with open(os.path.join(data, "nllb/special_tokens_map.json"), encoding="utf-8") as f:
        langs = json.load(f)["additional_special_tokens"]
    lang_id = {code: len(sp) + 1 + i for i, code in enumerate(langs)}
    mask_id = len(sp) + 1 + len(langs)
    xlmr, nllb = [], []
    for c in cases([{"name": "unknown_chars", "text": "ᚠᛇᚻ 𓀀 ok"}]):
        ids = fairseq(sp.encode(c["text"]))
        xlmr.append({**c, "ids": [0] + ids + [2], "ids_no_special": ids})
        nllb.append({**c, "ids": [lang_id["eng_Latn"]] + ids + [2], "ids_no_special": ids})
    write(os.path.join(out, "barthez_as_xlmr.json"), "spm/barthez_sentencepiece.bpe.model, XLM-R conventions "
          "(<mask> = %d)" % (len(sp) + 1), xlmr)
    write(os.path.join(out, "barthez_as_nllb.json"), "spm/barthez_sentencepiece.bpe.model, NLLB conventions "
          "(eng_Latn = %d, yor_Latn = %d, <mask> = %d)" % (lang_id["eng_Latn"], lang_id["yor_Latn"], mask_id), nllb)

    train_unigram(data, unigram_dir)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(unigram_dir, "tokenizer.model"))
    rows = []
    for c in cases():
        ids = sp.encode(c["text"])
        rows.append({**c, "ids": ids + [sp.eos_id()], "ids_no_special": ids})
    write(os.path.join(out, "unigram_spm.json"), "unigram/tokenizer.model (spm_train unigram, 800 pieces)", rows)


if __name__ == "__main__":
    main()
