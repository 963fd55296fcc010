#include "app/commands.h"

namespace sprout::app {

const Command* commands(int* count) {
  static const Command kCommands[] = {
      {"chat", cmd_chat, "interactive chat with a chat model (default: the shipped model)"},
      {"generate", cmd_generate, "complete a raw prompt"},
      {"tokenize", cmd_tokenize, "print the token ids of stdin"},
      {"inspect", cmd_inspect, "show a model file's format, metadata and tensors"},
      {"quantize", cmd_quantize, "write a quantized GGUF file"},
      {"perplexity", cmd_perplexity, "perplexity of a text; KL divergence against a base model"},
      {"bench", cmd_bench, "prompt-processing and generation speed"},
      {"embed", cmd_embed, "sentence embeddings, one per stdin line"},
      {"similar", cmd_similar, "rank a file's lines by similarity to a query"},
      {"translate", cmd_translate, "translate stdin lines (NLLB-200 / M2M100)"},
      {"maintain", cmd_maintain, "remaining useful life from C-MAPSS sensor data"},
      {"langid", cmd_langid, "language of each stdin line (fastText, default: shipped lid.176)"},
      {"intent", cmd_intent, "intent of each stdin line (fastText classifier)"},
      {"advise", cmd_advise, "answer questions: language ID, translation, intent, retrieval"},
  };
  *count = int(sizeof(kCommands) / sizeof(kCommands[0]));
  return kCommands;
}

}  // namespace sprout::app
