// Shared by `sprout embed` and `sprout similar`: the BERT model options and loading.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/args.h"
#include "models/bert/bert.h"

namespace sprout::app {

// --threads, --batch, --pooling, --weights.
void add_bert_options(ArgParser& p);

struct BertRun {
  std::unique_ptr<bert::Model> model;
  bert::EmbedOptions embed;
};
// Sets the thread count and loads --model as the options say.
BertRun open_bert(const ArgParser& p);

// "101 2023 102" -> ids; errors name stdin and the line number.
std::vector<int32_t> parse_ids_line(const std::string& line, int64_t line_no);

}  // namespace sprout::app
