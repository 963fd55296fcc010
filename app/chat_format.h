// How `sprout chat` turns a conversation into tokens.
//
// Qwen (and most chat models) ship a ChatML Jinja template in tokenizer_config.json:
//   <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{msg}<|im_end|>\n<|im_start|>assistant\n
// Rather than run Jinja, we recognise ChatML templates (they emit '<|im_start|>' and
// '<|im_end|>') and apply ChatML, taking the template's default system prompt if it
// has one (Qwen1.5: "You are a helpful assistant"). Models without a template
// (stories260K) continue the text the user types.
#pragma once
#include <string>

namespace sprout::app {

struct ChatFormat {
  bool chatml = false;
  std::string default_system;  // used when --system is not given (may be empty: no system turn)
};

ChatFormat detect_chat_format(const std::string& chat_template);

// The text of one user turn. `first`: the conversation is empty (system turn goes first);
// otherwise the previous assistant answer is closed with <|im_end|>.
std::string chatml_user_turn(const std::string& system, bool first, const std::string& user);

}  // namespace sprout::app
