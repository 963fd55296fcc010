#include "app/chat_format.h"

namespace sprout::app {

ChatFormat detect_chat_format(const std::string& t) {
  ChatFormat f;
  f.chatml = t.find("<|im_start|>") != std::string::npos && t.find("<|im_end|>") != std::string::npos;
  if (!f.chatml) return f;
  // A literal default system turn in the template: '<|im_start|>system\n....<|im_end|>'.
  const std::string open = "<|im_start|>system\\n", open_raw = "<|im_start|>system\n";
  for (const std::string& o : {open, open_raw}) {
    size_t a = t.find(o);
    while (a != std::string::npos) {
      const size_t b = a + o.size();
      const size_t e = t.find("<|im_end|>", b);
      if (e == std::string::npos) break;
      const std::string body = t.substr(b, e - b);
      // Skip template expressions such as "' + messages[0]['content'] + '".
      if (!body.empty() && body.find_first_of("'\"{}+") == std::string::npos) {
        f.default_system = body;
        return f;
      }
      a = t.find(o, b);
    }
  }
  return f;
}

std::string chatml_user_turn(const std::string& system, bool first, const std::string& user) {
  std::string s;
  if (first) {
    if (!system.empty()) s += "<|im_start|>system\n" + system + "<|im_end|>\n";
  } else {
    s += "<|im_end|>\n";
  }
  s += "<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n";
  return s;
}

}  // namespace sprout::app
