#include "app/bert_common.h"

#include <cerrno>
#include <cstdlib>

#include "app/cli_common.h"
#include "engine/error.h"

namespace sprout::app {

void add_bert_options(ArgParser& p) {
  add_threads_option(p, "threads (default: physical cores or SPROUT_THREADS)");
  p.option("--batch", "N", "sentences per forward pass", "32");
  p.option("--pooling", "MODE", "mean, cls or max (default: the model's sentence-transformers config)");
  p.option("--weights", "TYPE", "convert linear weights at load: f32, q8_0 or i8_row (int8); default as stored");
}

BertRun open_bert(const ArgParser& p) {
  const std::string model = p.require("--model");
  apply_threads_option(p);
  BertRun r;
  r.embed.batch_size = int(p.get_int("--batch", 1, 1 << 20));
  if (p.has("--pooling")) {
    const std::string m = p.get("--pooling");
    if (m == "mean") r.embed.pooling = bert::Pooling::mean;
    else if (m == "cls") r.embed.pooling = bert::Pooling::cls;
    else if (m == "max") r.embed.pooling = bert::Pooling::max;
    else throw UsageError("--pooling", "expected mean, cls or max, got '" + m + "'");
  }
  bert::LoadOptions lo;
  if (p.has("--weights")) {
    const std::string t = p.get("--weights");
    if (t == "f32") lo.linear_type = DType::f32;
    else if (t == "q8_0") lo.linear_type = DType::q8_0;
    else if (t == "i8_row" || t == "int8") lo.linear_type = DType::i8_row;
    else throw UsageError("--weights", "expected f32, q8_0 or i8_row, got '" + t + "'");
  }
  r.model = bert::Model::load(model, lo);
  return r;
}

std::vector<int32_t> parse_ids_line(const std::string& line, int64_t line_no) {
  std::vector<int32_t> ids;
  const char* s = line.c_str();
  while (*s) {
    while (*s == ' ' || *s == '\t') ++s;
    if (!*s) break;
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s, &end, 10);
    if (end == s || (*end && *end != ' ' && *end != '\t') || errno == ERANGE || v < 0 || v > INT32_MAX) {
      const char* e = s;
      while (*e && *e != ' ' && *e != '\t') ++e;
      fail("stdin", "line " + std::to_string(line_no) + ": bad token id '" + std::string(s, e) + "'");
    }
    ids.push_back(int32_t(v));
    s = end;
  }
  if (ids.empty()) fail("stdin", "line " + std::to_string(line_no) + ": no token ids");
  return ids;
}

}  // namespace sprout::app
