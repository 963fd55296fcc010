// sprout embed — one sentence per stdin line -> one embedding per line (see the
// command-line contract). Lines are read in chunks and each chunk is embedded in
// length-sorted batches; output keeps the input order.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/bert_common.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

namespace {

void print_embedding(const float* e, int64_t n, bool json) {
  std::string line = json ? "[" : "";
  char buf[32];
  for (int64_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%.8g", double(e[i]));
    if (i) line += json ? ", " : " ";
    line += buf;
  }
  if (json) line += "]";
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
}

}  // namespace

int cmd_embed(int argc, char** argv) {
  ArgParser p("embed", "--model MODEL [--json] [--no-normalize] [--ids] [options]",
              "Reads one sentence per stdin line and prints one embedding per line (space-separated\n"
              "floats, or a JSON array with --json), pooled as the model's sentence-transformers config\n"
              "says (mean over the tokens by default) and L2-normalized unless --no-normalize.");
  p.option("--model", "MODEL", "HF / sentence-transformers model directory or BERT .gguf file");
  p.flag("--json", "print each embedding as a JSON array");
  p.flag("--no-normalize", "do not L2-normalize the embeddings");
  p.flag("--ids", "each stdin line is space-separated token ids, special tokens included");
  add_bert_options(p);
  if (!p.parse(argc, argv)) return 0;
  const BertRun run = open_bert(p);
  const bool ids_mode = p.has("--ids"), json = p.has("--json");

  bert::EmbedOptions eo = run.embed;
  eo.normalize = !p.has("--no-normalize");
  const int64_t H = run.model->hidden();
  std::string line;
  int64_t line_no = 0;
  bool eof = false;
  while (!eof) {
    // A chunk of lines, embedded together (bounded memory for any input size).
    std::vector<std::vector<int32_t>> chunk;
    while (chunk.size() < 1024) {
      if (!std::getline(std::cin, line)) { eof = true; break; }
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      chunk.push_back(ids_mode ? parse_ids_line(line, line_no) : run.model->tokenize(line));
    }
    if (chunk.empty()) break;
    const std::vector<float> e = run.model->embed(chunk, eo);
    for (size_t i = 0; i < chunk.size(); ++i) print_embedding(e.data() + i * size_t(H), H, json);
  }
  return 0;
}

}  // namespace sprout::app
