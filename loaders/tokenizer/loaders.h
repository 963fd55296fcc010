// Internal: one loader per tokenizer file family; Tokenizer::load (load.cpp) picks one.
#pragma once
#include <memory>
#include <string>

#include "loaders/tokenizer.h"
#include "loaders/tokenizer/common.h"

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

}  // namespace sprout::tok
