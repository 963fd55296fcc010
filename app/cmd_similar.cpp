// sprout similar — ranks the lines of FILE by cosine similarity to --query (the
// retrieval step of the advisory pipeline). Prints "score<TAB>line number<TAB>text",
// best first; empty lines are skipped.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/bert_common.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_similar(int argc, char** argv) {
  ArgParser p("similar", "--model MODEL --query TEXT FILE [-k N] [options]",
              "Embeds TEXT and every non-empty line of FILE and prints the K most similar lines as\n"
              "\"score<TAB>line number<TAB>line\", highest cosine similarity first.");
  p.option("--model", "MODEL", "HF / sentence-transformers model directory or BERT .gguf file");
  p.option("--query", "TEXT", "the text to search for");
  p.option("-k", "N", "how many lines to print (0: all)", "10");
  p.positional("FILE", "one candidate text per line");
  add_bert_options(p);
  if (!p.parse(argc, argv)) return 0;
  const std::string query = p.require("--query");
  if (p.positionals().size() != 1) throw UsageError("FILE", p.positionals().empty() ? "required" : "only one FILE");
  const long long k = p.get_int("-k", 0, 1LL << 40);
  const std::string path = p.positionals()[0];
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open file");
  const BertRun run = open_bert(p);

  std::vector<std::string> lines;
  std::vector<int> line_nos;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    lines.push_back(line);
    line_nos.push_back(n);
  }
  if (in.bad()) fail(path, "read error");

  bert::EmbedOptions eo = run.embed;
  eo.normalize = true;  // cosine = dot product of unit vectors
  const int64_t H = run.model->hidden();
  const std::vector<float> q = run.model->embed_texts({query}, eo);
  const std::vector<float> docs = run.model->embed_texts(lines, eo);
  std::vector<float> score(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    double dot = 0;
    for (int64_t d = 0; d < H; ++d) dot += double(q[size_t(d)]) * docs[i * size_t(H) + size_t(d)];
    score[i] = float(dot);
  }
  std::vector<size_t> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  const size_t shown = k == 0 ? order.size() : std::min(order.size(), size_t(k));
  for (size_t r = 0; r < shown; ++r) {
    const size_t i = order[r];
    std::printf("%.6f\t%d\t%s\n", double(score[i]), line_nos[i], lines[i].c_str());
  }
  return 0;
}

}  // namespace sprout::app
