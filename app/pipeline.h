// The app layer's model registry and the advisory pipeline (docs/app.md).
//
// ModelCache: named models registered with a loader; nothing is loaded until
// first use. Each loaded model's resident bytes are counted, and when their
// sum exceeds the memory budget the least recently used *other* models are
// unloaded (a model larger than the whole budget stays loaded alone). Models
// are handed out as shared_ptr, so one being used survives its own eviction.
//
// Advisor: question -> detect language (fastText lid) -> translate to English
// (M2M100/NLLB, optional; skipped for English) -> intent (fastText) -> answer
// (best-matching knowledge line by BERT embedding, optional; else the intent
// label) -> translate the answer back to the question's language.
#pragma once
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sprout::app {

class ModelCache {
 public:
  struct Loaded {
    std::shared_ptr<void> model;
    uint64_t bytes = 0;  // resident bytes while loaded
  };
  explicit ModelCache(uint64_t budget_bytes = 0) : budget_(budget_bytes) {}  // 0: no budget

  void add(const std::string& name, std::function<Loaded()> loader);
  bool has(const std::string& name) const { return entries_.count(name) != 0; }

  // Loads on first use (or after an eviction), marks most recently used,
  // then enforces the budget. Throws whatever the loader throws.
  template <class T>
  std::shared_ptr<T> get(const std::string& name) {
    return std::static_pointer_cast<T>(acquire(name));
  }

  // Counters (for tests, --verbose and docs).
  bool is_loaded(const std::string& name) const;
  int loads(const std::string& name) const;      // times loaded
  int evictions() const { return evictions_; }   // unloads forced by the budget
  uint64_t resident_bytes() const { return resident_; }
  uint64_t peak_resident_bytes() const { return peak_; }
  uint64_t budget_bytes() const { return budget_; }
  std::vector<std::string> loaded_names() const;  // most recently used first

 private:
  struct Entry {
    std::function<Loaded()> loader;
    Loaded loaded;
    bool is_loaded = false;
    int loads = 0;
  };
  std::shared_ptr<void> acquire(const std::string& name);
  void enforce_budget(const std::string& keep);

  uint64_t budget_, resident_ = 0, peak_ = 0;
  int evictions_ = 0;
  std::map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // loaded models, most recently used first
};

// Sum of the sizes of a file, or of the regular files directly in a directory.
uint64_t path_bytes(const std::string& path);

// fastText language label ("__label__fr") -> NLLB code ("fra_Latn"); "" if unknown.
std::string nllb_code(const std::string& fasttext_label);

struct AdvisorOptions {
  std::string langid;      // fastText lid model (required)
  std::string intent;      // fastText intent model (required)
  std::string translator;  // M2M100/NLLB directory with tokenizer ("" = no translation)
  std::string embedder;    // BERT/sentence-transformers model ("" = answer with the intent label)
  std::string knowledge;   // one answer per line (needed with embedder)
  int max_length = 0;      // translation decoder length (0: generation_config.json)
};

struct Advice {
  std::string question, lang;  // lang: "en", "fr" (fastText label without __label__)
  float lang_prob = 0;
  std::string english;         // the question in English (the question itself when not translated)
  bool translated = false;
  std::string intent;          // intent label without __label__
  float intent_prob = 0;
  std::string answer_en;       // knowledge line or intent label
  int answer_line = 0;         // 1-based knowledge line, 0 when the answer is the intent label
  float answer_score = 0;      // cosine similarity of the knowledge line
  std::string answer;          // answer in the question's language
};

class Advisor {
 public:
  // Checks that every given file exists (one-line errors) and registers the
  // models in `cache`; loads nothing.
  Advisor(ModelCache& cache, AdvisorOptions opt);
  Advice ask(const std::string& question);

 private:
  std::string translate(const std::string& text, const std::string& src, const std::string& tgt);
  ModelCache& cache_;
  AdvisorOptions opt_;
};

}  // namespace sprout::app
