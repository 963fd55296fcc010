#include "app/pipeline.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/error.h"
#include "loaders/tokenizer.h"
#include "models/bert/bert.h"
#include "models/fasttext/fasttext.h"
#include "models/m2m100/config.h"
#include "models/m2m100/model.h"
#include "models/m2m100/search.h"

namespace sprout::app {

namespace fs = std::filesystem;

// ---- ModelCache ----------------------------------------------------------

void ModelCache::add(const std::string& name, std::function<Loaded()> loader) {
  Entry& e = entries_[name];
  e.loader = std::move(loader);
}

bool ModelCache::is_loaded(const std::string& name) const {
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.is_loaded;
}

int ModelCache::loads(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? 0 : it->second.loads;
}

std::vector<std::string> ModelCache::loaded_names() const { return {lru_.begin(), lru_.end()}; }

std::shared_ptr<void> ModelCache::acquire(const std::string& name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) fail(name, "no such model registered");
  Entry& e = it->second;
  lru_.remove(name);
  if (!e.is_loaded) {
    Loaded l = e.loader();  // may throw: nothing changes then
    e.loaded = std::move(l);
    e.is_loaded = true;
    ++e.loads;
    resident_ += e.loaded.bytes;
    peak_ = std::max(peak_, resident_);
  }
  lru_.push_front(name);
  std::shared_ptr<void> model = e.loaded.model;
  enforce_budget(name);
  return model;
}

void ModelCache::enforce_budget(const std::string& keep) {
  if (budget_ == 0) return;
  while (resident_ > budget_ && lru_.size() > 1) {
    const std::string victim = lru_.back() == keep ? *std::next(lru_.rbegin()) : lru_.back();
    Entry& v = entries_[victim];
    resident_ -= v.loaded.bytes;
    v.loaded = {};
    v.is_loaded = false;
    lru_.remove(victim);
    ++evictions_;
  }
}

uint64_t path_bytes(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return fs::file_size(path, ec);
  uint64_t n = 0;
  if (fs::is_directory(path, ec))
    for (const auto& f : fs::directory_iterator(path, ec))
      if (f.is_regular_file(ec)) n += f.file_size(ec);
  return n;
}

std::string nllb_code(const std::string& label) {
  static const std::map<std::string, std::string> k = {
      {"en", "eng_Latn"}, {"fr", "fra_Latn"}, {"de", "deu_Latn"}, {"es", "spa_Latn"}, {"pt", "por_Latn"},
      {"it", "ita_Latn"}, {"nl", "nld_Latn"}, {"ru", "rus_Cyrl"}, {"uk", "ukr_Cyrl"}, {"pl", "pol_Latn"},
      {"zh", "zho_Hans"}, {"ja", "jpn_Jpan"}, {"ko", "kor_Hang"}, {"ar", "arb_Arab"}, {"hi", "hin_Deva"},
      {"bn", "ben_Beng"}, {"tr", "tur_Latn"}, {"vi", "vie_Latn"}, {"id", "ind_Latn"}, {"sw", "swh_Latn"},
      {"yo", "yor_Latn"}, {"ha", "hau_Latn"}, {"ig", "ibo_Latn"}, {"am", "amh_Ethi"}, {"so", "som_Latn"},
      {"zu", "zul_Latn"}, {"xh", "xho_Latn"}, {"af", "afr_Latn"}, {"fa", "pes_Arab"}, {"ur", "urd_Arab"},
  };
  const std::string code = label.rfind("__label__", 0) == 0 ? label.substr(9) : label;
  auto it = k.find(code);
  return it == k.end() ? "" : it->second;
}

// ---- Advisor -------------------------------------------------------------

namespace {

struct Translator {
  std::unique_ptr<m2m100::Model> model;
  std::unique_ptr<Tokenizer> tok;
  m2m100::GenerationConfig gen;
};

struct Retriever {
  std::unique_ptr<bert::Model> model;
  std::vector<std::string> lines;
  std::vector<int> line_nos;
  std::vector<float> emb;  // [lines, hidden], unit rows
};

void require_exists(const std::string& path, const char* what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(path, std::string("no such file or directory (") + what + ")");
}

std::string strip_label(const std::string& l) { return l.rfind("__label__", 0) == 0 ? l.substr(9) : l; }

}  // namespace

Advisor::Advisor(ModelCache& cache, AdvisorOptions opt) : cache_(cache), opt_(std::move(opt)) {
  require_exists(opt_.langid, "--langid");
  require_exists(opt_.intent, "--intent");
  auto fasttext_loader = [](std::string path) {
    return [path]() -> ModelCache::Loaded {
      auto c = std::make_shared<fasttext::Classifier>(path);
      const uint64_t bytes = c->resident_bytes();
      return {std::move(c), bytes};
    };
  };
  cache_.add("langid", fasttext_loader(opt_.langid));
  cache_.add("intent", fasttext_loader(opt_.intent));
  if (!opt_.translator.empty()) {
    require_exists(opt_.translator, "--translator");
    cache_.add("translator", [dir = opt_.translator]() -> ModelCache::Loaded {
      auto t = std::make_shared<Translator>();
      t->model = m2m100::Model::load(dir);
      t->tok = Tokenizer::load(dir);
      t->gen = m2m100::load_generation_config(dir);
      return {std::move(t), path_bytes(dir)};
    });
  }
  if (!opt_.embedder.empty()) {
    require_exists(opt_.embedder, "--embedder");
    if (opt_.knowledge.empty()) throw UsageError("--knowledge", "required with --embedder");
    require_exists(opt_.knowledge, "--knowledge");
    cache_.add("embedder", [dir = opt_.embedder, kb = opt_.knowledge]() -> ModelCache::Loaded {
      auto r = std::make_shared<Retriever>();
      std::ifstream in(kb, std::ios::binary);
      if (!in) fail(kb, "cannot open file");
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        r->lines.push_back(line);
        r->line_nos.push_back(n);
      }
      if (r->lines.empty()) fail(kb, "no non-empty lines");
      r->model = bert::Model::load(dir);
      bert::EmbedOptions eo;
      eo.normalize = true;
      r->emb = r->model->embed_texts(r->lines, eo);
      const uint64_t bytes = path_bytes(dir) + r->emb.size() * sizeof(float);
      return {std::move(r), bytes};
    });
  } else if (!opt_.knowledge.empty()) {
    throw UsageError("--knowledge", "needs --embedder");
  }
}

std::string Advisor::translate(const std::string& text, const std::string& src, const std::string& tgt) {
  auto t = cache_.get<Translator>("translator");
  const m2m100::Config& cfg = t->model->config();
  auto lang = [&](const std::string& code) {
    const auto id = t->tok->token_id(code);
    if (!id || *id >= cfg.vocab_size) fail(opt_.translator, "the translator has no language token " + code);
    return *id;
  };
  std::vector<int32_t> ids{lang(src)};
  for (int32_t x : t->tok->encode(text, false)) ids.push_back(x);
  ids.push_back(cfg.eos_id);
  m2m100::SearchOptions so;
  so.forced_bos = lang(tgt);
  so.beam = t->gen.num_beams;
  so.max_length = opt_.max_length > 0 ? opt_.max_length : t->gen.max_length;
  so.length_penalty = t->gen.length_penalty;
  so.early_stopping = t->gen.early_stopping;
  so.no_repeat_ngram = t->gen.no_repeat_ngram_size;
  const auto out = m2m100::translate(*t->model, {ids}, so);
  std::vector<int32_t> words;
  for (size_t j = 2; j < out[0].ids.size(); ++j)
    if (out[0].ids[j] != cfg.eos_id && out[0].ids[j] != cfg.pad_id) words.push_back(out[0].ids[j]);
  return t->tok->decode(words, true);
}

Advice Advisor::ask(const std::string& question) {
  Advice a;
  a.question = question;
  const auto lid = cache_.get<fasttext::Classifier>("langid")->predict(question, 1);
  if (!lid.empty()) {
    a.lang = strip_label(lid[0].label);
    a.lang_prob = lid[0].prob;
  }
  // Translate to English when a translator is given, the language is not
  // English, and both languages have NLLB codes; otherwise go on as is.
  const std::string src = nllb_code(a.lang);
  const bool translate = cache_.has("translator") && a.lang != "en" && !src.empty();
  a.english = translate ? this->translate(question, src, "eng_Latn") : question;
  a.translated = translate;

  const auto intent = cache_.get<fasttext::Classifier>("intent")->predict(a.english, 1);
  if (!intent.empty()) {
    a.intent = strip_label(intent[0].label);
    a.intent_prob = intent[0].prob;
  }
  a.answer_en = a.intent;
  if (cache_.has("embedder")) {
    auto r = cache_.get<Retriever>("embedder");
    bert::EmbedOptions eo;
    eo.normalize = true;
    const std::vector<float> q = r->model->embed_texts({a.english}, eo);
    const size_t H = q.size();
    float best = -2.f;
    size_t bi = 0;
    for (size_t i = 0; i < r->lines.size(); ++i) {
      double dot = 0;
      for (size_t d = 0; d < H; ++d) dot += double(q[d]) * r->emb[i * H + d];
      if (float(dot) > best) best = float(dot), bi = i;
    }
    a.answer_en = r->lines[bi];
    a.answer_line = r->line_nos[bi];
    a.answer_score = best;
  }
  // Translate the answer back (a knowledge line; an intent label is not prose).
  a.answer = translate && a.answer_line > 0 ? this->translate(a.answer_en, "eng_Latn", src) : a.answer_en;
  return a;
}

}  // namespace sprout::app
