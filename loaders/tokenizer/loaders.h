// Internal: one loader per tokenizer file family; Tokenizer::load (load.cpp) picks one.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loaders/tokenizer.h"
#include "loaders/tokenizer/common.h"

namespace sprout {
class GgufFile;
}

namespace sprout::tok {

std::unique_ptr<Tokenizer> load_bpe_tokenizer_json(const std::string& path, const nlohmann::json& j,
                                                   const TokenizerConfig& cfg);
std::unique_ptr<Tokenizer> load_bpe_vocab_merges(const std::string& dir, const TokenizerConfig& cfg);
std::unique_ptr<Tokenizer> load_llama2c(const std::string& path);
std::unique_ptr<Tokenizer> load_llama2c_bytes(const std::string& data, const std::string& subject);
std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& model_path, const std::string& dir,
                                              const TokenizerConfig& cfg);
std::unique_ptr<Tokenizer> load_wordpiece(const std::string& dir, const TokenizerConfig& cfg);
std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path);
std::unique_ptr<Tokenizer> load_gguf_tokenizer_from(const GgufFile& g, const std::string& path);

// Building blocks for tokenizers whose vocabulary comes from elsewhere (GGUF metadata).
struct BpeOptions;
class AddedTokens;
// tokens: printable (GPT-2 byte alphabet) form by id; merges: "left right" lines.
std::unique_ptr<Tokenizer> load_bpe_parts(const std::vector<std::string_view>& tokens,
                                          const std::vector<std::string_view>& merges, AddedTokens added,
                                          BpeOptions opt, const TokenizerConfig& cfg, const std::string& subject);
std::unique_ptr<Tokenizer> load_sentencepiece_proto(const std::string& bytes, const std::string& subject,
                                                    const TokenizerConfig& cfg);
std::unique_ptr<Tokenizer> load_wordpiece_vocab(std::vector<std::string> vocab, const TokenizerConfig& cfg,
                                                const std::string& subject);

}  // namespace sprout::tok
