// One tokenizer interface over several algorithms: byte-level BPE (Qwen, GPT-2),
// SentencePiece BPE/unigram (Llama 2, NLLB, XLM-R), WordPiece (BERT) and the
// llama2.c .bin format. Every implementation aims at the exact ids the model's
// Hugging Face tokenizer produces (see docs/tokenizers.md for the conventions).
//
// Tokenizer files are untrusted input: loading validates everything and throws
// sprout::Error(file, cause); encode() accepts any bytes (invalid UTF-8 is
// replaced by U+FFFD first, as Python's bytes.decode(errors="replace") does).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sprout {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // A directory (tokenizer.json | vocab.json+merges.txt | vocab.txt | sentencepiece.bpe.model |
  // tokenizer.model, with tokenizer_config.json / special_tokens_map.json), a .gguf, or a
  // llama2.c tokenizer .bin.
  static std::unique_ptr<Tokenizer> load(const std::string& path);

  // add_special: the tokens HF adds by default (BOS, [CLS]/[SEP], NLLB language code + </s>).
  // Special tokens written in the text ("<|im_start|>") are matched either way, as in HF.
  virtual std::vector<int32_t> encode(std::string_view text, bool add_special = true) const = 0;
  virtual std::string decode(const std::vector<int32_t>& ids, bool skip_special = true) const = 0;
  virtual std::string piece_bytes(int32_t id) const = 0;   // raw bytes a token stands for (streaming)
  virtual std::optional<int32_t> token_id(std::string_view token) const = 0;  // "<|im_end|>", "eng_Latn"
  virtual int32_t vocab_size() const = 0;

  // Extension: HF `truncation=True, max_length=N`: the text's tokens are cut so that the
  // result, special tokens included, has at most max_length ids (specials are kept).
  std::vector<int32_t> encode_truncated(std::string_view text, int max_length, bool add_special = true) const;
  // Extension: true for control/special tokens (skipped by decode(skip_special = true)).
  virtual bool is_special(int32_t id) const = 0;
  // Extension for NLLB-style tokenizers: the language code encode(text, true) puts first
  // (HF src_lang; default eng_Latn). False if there is no such convention or code.
  virtual bool set_src_lang(const std::string& code) { return false; }

  int32_t bos_id = -1, eos_id = -1, pad_id = -1, unk_id = -1;
  std::string chat_template;                                 // from tokenizer_config.json, if any
  int32_t model_max_length = 0;                              // tokenizer_config.json, 0 = unknown
  std::string kind;                                          // "bpe", "spm", "wordpiece", "llama2c"

 protected:
  // How many ids encode(text, true) puts before and after the text's own tokens.
  virtual std::pair<int, int> special_added() const { return {0, 0}; }
};

// Utf8Stream: feed piece bytes, get back only complete UTF-8 characters (for streaming output).
// Bytes that can never become a valid character come out as U+FFFD, like decode() does.
class Utf8Stream {
 public:
  std::string push(std::string_view bytes);  // complete characters now available
  std::string flush();                       // end of stream: a dangling partial char -> U+FFFD
 private:
  std::string pending_;
};

}  // namespace sprout
