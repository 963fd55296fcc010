// sprout translate — see the command-line contract.
//
//   sprout translate --model DIR --src eng_Latn --tgt yor_Latn [--beam N] < sentences.txt
//   sprout translate --model DIR --ids --tgt 256047 --print-ids < id_lines.txt
//   sprout translate --model DIR --src eng_Latn --tgt yor_Latn --shortlist auto < sentences.txt
//
// One translation per stdin line, in order. Lines are read and translated in
// batches (--batch lines at a time) so the decoder runs several sentences per
// matmul. Source ids are `[src_lang] pieces </s>` (NLLB); the decoder starts
// with decoder_start_token_id and the target-language token is forced next.
// --shortlist restricts the output vocabulary (models/m2m100/shortlist.h);
// `auto` reads MODEL/shortlist/<tgt>.txt (<tgt> as given to --tgt).
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/commands.h"
#include "engine/error.h"
#include "loaders/json_util.h"
#include "loaders/tokenizer.h"
#include "models/m2m100/model.h"
#include "models/m2m100/search.h"
#include "models/m2m100/shortlist.h"

namespace sprout::app {

namespace {

bool has_tokenizer_files(const std::string& dir) {
  namespace fs = std::filesystem;
  for (const char* f : {"sentencepiece.bpe.model", "tokenizer.json", "tokenizer.model", "spiece.model"})
    if (fs::exists(fs::path(dir) / f)) return true;
  return false;
}

// "12 7 2" -> ids; Error naming the line on anything else or an id outside [0, vocab).
std::vector<int32_t> parse_ids(const std::string& line, int lineno, int vocab) {
  std::vector<int32_t> ids;
  const char* p = line.data();
  const char* end = p + line.size();
  const std::string where = "stdin line " + std::to_string(lineno);
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    if (p == end) break;
    long long v = 0;
    auto [q, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || (q < end && *q != ' ' && *q != '\t' && *q != '\r'))
      fail(where, "expected space-separated token ids");
    if (v < 0 || v >= vocab)
      fail(where, "token id " + std::to_string(v) + " is outside the vocabulary (size " + std::to_string(vocab) + ")");
    ids.push_back(int32_t(v));
    p = q;
  }
  if (ids.empty()) fail(where, "no token ids");
  return ids;
}

}  // namespace

int cmd_translate(int argc, char** argv) {
  ArgParser p("translate", "--model MODEL --src LANG --tgt LANG [--beam N] [--ids] [--print-ids] [options]",
              "Translates one sentence per stdin line (NLLB-200 / M2M100, Hugging Face directory).");
  p.option("--model", "MODEL", "Hugging Face M2M100/NLLB directory (config.json + *.safetensors)");
  p.option("--src", "LANG", "source language code, e.g. eng_Latn (not needed with --ids)");
  p.option("--tgt", "LANG", "target language code, e.g. yor_Latn; with --ids also a numeric token id");
  p.option("--beam", "N", "beam width (1 = greedy); default: generation_config.json num_beams");
  p.option("--max-len", "N", "maximum decoder length incl. start token; default: generation_config.json max_length");
  p.option("--length-penalty", "F", "beam score = sum log p / length^F; default: generation_config.json");
  p.option("--no-repeat-ngram", "N", "never repeat an n-gram of this size (0 = off)");
  p.flag("--early-stopping", "beam: stop as soon as N hypotheses are finished");
  p.flag("--ids", "stdin lines are source token ids (language token and </s> included)");
  p.flag("--print-ids", "print generated ids (decoder start and language token included)");
  p.flag("--json", "one JSON object per line: source, translation, score, ids");
  p.option("--shortlist", "FILE", "output vocabulary: token ids, one per line; 'auto' = MODEL/shortlist/<tgt>.txt");
  p.option("--int8", "TYPE", "convert matrices to int8 at load: q8_0 or i8_row");
  add_threads_option(p);
  p.option("--batch", "N", "hypotheses decoded together", "32");
  if (!p.parse(argc, argv)) return 0;

  const std::string dir = p.require("--model");
  const bool ids_in = p.has("--ids"), ids_out = p.has("--print-ids"), json = p.has("--json");
  const std::string tgt_arg = p.require("--tgt");
  if (!ids_in && !p.has("--src")) throw UsageError("--src", "required unless --ids is given");
  apply_threads_option(p);

  m2m100::LoadOptions lo;
  if (p.has("--int8")) {
    const std::string t = p.get("--int8");
    if (t == "q8_0") lo.matrix_type = DType::q8_0;
    else if (t == "i8_row") lo.matrix_type = DType::i8_row;
    else throw UsageError("--int8", "expected q8_0 or i8_row, got '" + t + "'");
    lo.convert = true;
  }
  if (!std::filesystem::exists(dir)) fail(dir, "no such file or directory");
  auto model = m2m100::Model::load(dir, lo);
  const m2m100::Config& cfg = model->config();
  const m2m100::GenerationConfig gen = m2m100::load_generation_config(dir);

  // The tokenizer is needed for text in or out and for language codes.
  std::unique_ptr<Tokenizer> tok;
  auto tokenizer = [&]() -> const Tokenizer& {
    if (!tok) {
      if (!has_tokenizer_files(dir))
        fail(dir, "no tokenizer files (sentencepiece.bpe.model or tokenizer.json); use --ids, --print-ids and a numeric --tgt");
      tok = Tokenizer::load(dir);
    }
    return *tok;
  };
  auto lang_id = [&](const std::string& flag, const std::string& code, bool numeric_ok) -> int32_t {
    if (numeric_ok && !code.empty() && code.find_first_not_of("0123456789") == std::string::npos) {
      const long long v = std::stoll(code.size() > 12 ? std::string("999999999999") : code);
      if (v >= cfg.vocab_size)
        throw UsageError(flag, "token id " + code + " is outside the vocabulary (size " + std::to_string(cfg.vocab_size) + ")");
      return int32_t(v);
    }
    const auto id = tokenizer().token_id(code);
    if (!id || !tokenizer().is_special(*id)) throw UsageError(flag, "unknown language code '" + code + "'");
    if (*id >= cfg.vocab_size) throw UsageError(flag, "language token outside the model's vocabulary");
    return *id;
  };

  m2m100::SearchOptions so;
  so.forced_bos = lang_id("--tgt", tgt_arg, ids_in);
  const int32_t src_lang = ids_in ? -1 : lang_id("--src", p.get("--src"), false);
  so.beam = p.has("--beam") ? int(p.get_int("--beam", 1, 64)) : gen.num_beams;
  so.max_length = p.has("--max-len") ? int(p.get_int("--max-len", 2, 1 << 16)) : gen.max_length;
  so.length_penalty = p.has("--length-penalty") ? float(p.get_double("--length-penalty")) : gen.length_penalty;
  so.early_stopping = p.has("--early-stopping") || gen.early_stopping;
  so.no_repeat_ngram = p.has("--no-repeat-ngram") ? int(p.get_int("--no-repeat-ngram", 0, 64)) : gen.no_repeat_ngram_size;
  so.max_batch = int(p.get_int("--batch", 1, 4096));
  std::unique_ptr<m2m100::Shortlist> shortlist;
  if (p.has("--shortlist")) {
    std::string file = p.get("--shortlist");
    if (file == "auto") {
      file = (std::filesystem::path(dir) / "shortlist" / (tgt_arg + ".txt")).string();
      if (!std::filesystem::exists(file)) fail(file, "no shortlist for --tgt " + tgt_arg + " in the model directory");
    }
    shortlist = std::make_unique<m2m100::Shortlist>(
        *model, m2m100::read_shortlist(file, cfg.vocab_size),
        std::vector<int32_t>{cfg.bos_id, cfg.pad_id, cfg.eos_id, cfg.decoder_start_id, so.forced_bos});
    so.shortlist = shortlist.get();
  }
  const bool need_text = !ids_out || (json && has_tokenizer_files(dir));
  if (need_text) (void)tokenizer();  // fail early, before reading stdin

  const size_t lines_per_batch = size_t(std::max(1, so.max_batch / so.beam)) * 4;
  std::string line;
  int lineno = 0;
  bool eof = false;
  while (!eof) {
    std::vector<std::string> lines;
    std::vector<std::vector<int32_t>> sources;
    while (lines.size() < lines_per_batch) {
      if (!std::getline(std::cin, line)) { eof = true; break; }
      ++lineno;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (ids_in) {
        sources.push_back(parse_ids(line, lineno, cfg.vocab_size));
      } else {
        std::vector<int32_t> ids{src_lang};
        for (int32_t t : tokenizer().encode(line, false)) ids.push_back(t);
        ids.push_back(cfg.eos_id);
        sources.push_back(std::move(ids));
      }
      lines.push_back(line);
    }
    if (sources.empty()) break;
    const auto out = m2m100::translate(*model, sources, so);
    for (size_t i = 0; i < out.size(); ++i) {
      const auto& ids = out[i].ids;
      std::string text;
      if (need_text) {
        // The words: after the start and language tokens, without </s>.
        std::vector<int32_t> words;
        for (size_t j = 2; j < ids.size(); ++j)
          if (ids[j] != cfg.eos_id && ids[j] != cfg.pad_id) words.push_back(ids[j]);
        text = tokenizer().decode(words, true);
      }
      if (json) {
        Json j = {{"source", lines[i]}, {"translation", text}, {"score", out[i].score}, {"ids", ids}};
        std::cout << j.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
      } else if (ids_out) {
        std::cout << join_ids(ids) << "\n";
      } else {
        std::cout << text << "\n";
      }
    }
    std::cout.flush();
  }
  return 0;
}

}  // namespace sprout::app
