// sprout advise — the advisory pipeline (app/pipeline.h, docs/app.md): for each
// stdin question, language ID -> translation to English -> intent -> answer
// (knowledge retrieval) -> translation back. Models load on first use and are
// evicted least-recently-used beyond --mem-budget.
#include <cstdio>
#include <iostream>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/commands.h"
#include "app/pipeline.h"
#include "app/registry.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_advise(int argc, char** argv) {
  ArgParser p("advise", "--intent FILE [--langid FILE] [--translator DIR] [--embedder DIR --knowledge FILE] [--json]",
              "Answers one question per stdin line: detects its language (fastText), translates it to English\n"
              "(M2M100/NLLB, when --translator is given), classifies its intent (fastText), answers with the\n"
              "best-matching line of --knowledge (BERT embeddings, when --embedder is given; else the intent\n"
              "label) and translates the answer back. Prints \"lang<TAB>intent<TAB>answer\" per line.");
  p.option("--langid", "FILE", "fastText language-ID model (default: the shipped lid176)");
  p.option("--intent", "FILE", "fastText intent model (.bin/.ftz)");
  p.option("--translator", "DIR", "M2M100/NLLB model directory with tokenizer files");
  p.option("--embedder", "DIR", "sentence-embedding model (HF directory or BERT .gguf)");
  p.option("--knowledge", "FILE", "candidate answers, one per line (with --embedder)");
  p.option("--mem-budget", "MB", "unload least-recently-used models above this many MB (0: no limit)", "0");
  p.option("--max-len", "N", "translation decoder length (default: generation_config.json)");
  add_threads_option(p);
  p.flag("--json", "one JSON object per question with every stage's result");
  if (!p.parse(argc, argv)) return 0;
  AdvisorOptions o;
  o.langid = p.has("--langid") ? p.get("--langid") : resolve_model("lid176").model;
  o.intent = p.require("--intent");
  o.translator = p.get("--translator");
  o.embedder = p.get("--embedder");
  o.knowledge = p.get("--knowledge");
  if (p.has("--max-len")) o.max_length = int(p.get_int("--max-len", 3, 1 << 16));
  apply_threads_option(p);
  const bool json = p.has("--json");
  ModelCache cache(uint64_t(p.get_int("--mem-budget", 0, 1LL << 30)) << 20);
  Advisor advisor(cache, o);

  std::string line;
  char buf[64];
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const Advice a = advisor.ask(line);
    std::string s;
    if (json) {
      auto str = [](const std::string& v) { return "\"" + json_escape(v) + "\""; };
      s = "{\"question\":" + str(a.question) + ",\"lang\":" + str(a.lang);
      std::snprintf(buf, sizeof buf, "%.6g", double(a.lang_prob));
      s += std::string(",\"lang_prob\":") + buf + ",\"english\":" + str(a.english) +
           ",\"translated\":" + (a.translated ? "true" : "false") + ",\"intent\":" + str(a.intent);
      std::snprintf(buf, sizeof buf, "%.6g", double(a.intent_prob));
      s += std::string(",\"intent_prob\":") + buf + ",\"answer_en\":" + str(a.answer_en) +
           ",\"answer_line\":" + std::to_string(a.answer_line);
      std::snprintf(buf, sizeof buf, "%.6g", double(a.answer_score));
      s += std::string(",\"answer_score\":") + buf + ",\"answer\":" + str(a.answer);
      s += ",\"resident_mb\":" + std::to_string(cache.resident_bytes() >> 20) +
           ",\"evictions\":" + std::to_string(cache.evictions()) + "}";
    } else {
      s = a.lang + "\t" + a.intent + "\t" + a.answer;
    }
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace sprout::app
