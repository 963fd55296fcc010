// Golden ids from Hugging Face's tokenizers as ported to JavaScript (transformers.js,
// npm @lenml/tokenizers): an implementation independent of Sprout's.
//
//   npm install            (in this folder; node_modules is not committed)
//   node make_hf_goldens.mjs /path/to/shared/data OUT_DIR
//
// Qwen: the real Qwen3 tokenizer.json + tokenizer_config.json (same vocabulary, merges and
// regex as Qwen1.5/Qwen2). BERT: the tokenizer.json HF's BertConverter makes from vocab.txt
// (BertNormalizer, BertPreTokenizer, WordPiece, [CLS] $A [SEP]), uncased and cased.
import fs from "node:fs";
import path from "node:path";
import { TokenizerLoader } from "@lenml/tokenizers";

const [data, outDir] = process.argv.slice(2);
if (!data || !outDir) throw new Error("usage: node make_hf_goldens.mjs SHARED_DATA OUT_DIR");
const here = path.dirname(new URL(import.meta.url).pathname);
const texts = JSON.parse(fs.readFileSync(path.join(here, "texts.json"), "utf8"));
const pkg = JSON.parse(fs.readFileSync(path.join(here, "node_modules/@lenml/tokenizers/package.json"), "utf8"));
const generator = `transformers.js tokenizers (npm @lenml/tokenizers ${pkg.version}), tokenizer.encode(text, {add_special_tokens})`;

function write(name, model, tk, extra) {
  const cases = [...texts, ...extra].map(({ name, text }) => ({
    name,
    text,
    ids: tk.encode(text, { add_special_tokens: true }),
    ids_no_special: tk.encode(text, { add_special_tokens: false }),
  }));
  const out = path.join(outDir, name);
  fs.writeFileSync(out, JSON.stringify({ generator, model, cases }, null, 1) + "\n");
  console.log(`${out}: ${cases.length} cases`);
}

// Qwen
{
  const tokenizerJSON = JSON.parse(fs.readFileSync(path.join(data, "qwen/tokenizer.json"), "utf8"));
  const tokenizerConfig = JSON.parse(fs.readFileSync(path.join(data, "qwen/tokenizer_config.qwen3.json"), "utf8"));
  const tk = TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
  write("qwen_hf.json", "qwen/tokenizer.json (Qwen3; vocabulary and merges of Qwen1.5/Qwen2)", tk, [
    { name: "chatml", text: "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n" },
    { name: "endoftext_inside_word", text: "abc<|endoftext|>def" },
    { name: "long_letters", text: "a".repeat(3000) },
  ]);
}

// BERT WordPiece, as BertConverter builds tokenizer.json from vocab.txt.
function bertJSON(vocabLines, lowercase) {
  const vocab = {};
  vocabLines.forEach((t, i) => { if (!(t in vocab)) vocab[t] = i; });
  const special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special.map((s) => ({ id: vocab[s], content: s, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } },
             { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
      special_tokens: { "[CLS]": { id: "[CLS]", ids: [vocab["[CLS]"]], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [vocab["[SEP]"]], tokens: ["[SEP]"] } },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
  };
}
{
  const lines = fs.readFileSync(path.join(data, "bert/all-MiniLM-L6-v2/vocab.txt"), "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const extra = [
    { name: "specials_in_text", text: "[CLS] hello [MASK] world [SEP]" },
    { name: "overlong_word", text: "x" + "a".repeat(100) + " ok " + "b".repeat(100) },
    { name: "unknown_chars", text: "ᚠᛇᚻ ⅧⅨ ok" },
  ];
  for (const [name, lower] of [["bert_uncased_hf.json", true], ["bert_cased_hf.json", false]]) {
    const tk = TokenizerLoader.fromPreTrained({
      tokenizerJSON: bertJSON(lines, lower),
      tokenizerConfig: { tokenizer_class: "BertTokenizer", do_lower_case: lower, model_max_length: 512 },
    });
    write(name, `bert/all-MiniLM-L6-v2/vocab.txt, do_lower_case ${lower}`, tk, extra);
  }
}
