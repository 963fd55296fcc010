// Byte-level BPE from Hugging Face files: tokenizer.json, or vocab.json + merges.txt
// (+ tokenizer_config.json). Unsupported pipeline parts are errors, never guesses:
// a tokenizer that is almost right silently ruins a model.
#include "loaders/tokenizer/loaders.h"

#include <algorithm>

#include "engine/error.h"
#include "loaders/tokenizer/bpe.h"

namespace sprout::tok {

namespace {

using nlohmann::json;
constexpr int64_t kMaxVocab = 1 << 22;

const json& need(const json& j, const char* key, const std::string& subject, const char* where) {
  auto it = j.find(key);
  if (it == j.end()) fail(subject, std::string(where) + ": missing key '" + key + "'");
  return *it;
}

// Vocabulary {"printable token": id} -> raw bytes per id.
std::vector<std::string> read_vocab(const json& v, const std::string& subject, std::vector<std::string>* undecodable) {
  if (!v.is_object()) fail(subject, "vocab: expected an object");
  if (int64_t(v.size()) > kMaxVocab) fail(subject, "vocab: too many tokens");
  std::vector<std::string> bytes;
  std::string b;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it->is_number_integer()) fail(subject, "vocab: id of '" + it.key() + "' is not an integer");
    int64_t id = it->get<int64_t>();
    // Ids are dense in real files; a sparse id would only make us allocate for nothing.
    if (id < 0 || id >= kMaxVocab || id >= int64_t(v.size()) + 1024)
      fail(subject, "vocab: id " + std::to_string(id) + " out of range");
    if (size_t(id) >= bytes.size()) { bytes.resize(size_t(id) + 1); undecodable->resize(bytes.size()); }
    if (!bytes[size_t(id)].empty() || !(*undecodable)[size_t(id)].empty())
      fail(subject, "vocab: id " + std::to_string(id) + " used twice");
    if (byte_level_decode(it.key(), &b) && !b.empty()) bytes[size_t(id)] = b;
    else (*undecodable)[size_t(id)] = it.key();  // e.g. a special token outside the byte alphabet
  }
  return bytes;
}

// Adds merges one by one to a model whose vocabulary is complete; `n` counts them for errors.
struct MergeAdder {
  BpeModel& m;
  const std::string& subject;
  size_t n = 0;
  std::string l = {}, r = {};  // decoded bytes, reused
  void add(std::string_view a, std::string_view b) {
    ++n;
    if (!byte_level_decode(a, &l) || !byte_level_decode(b, &r) || !m.add_merge(l, r))
      fail(subject, "merge " + std::to_string(n) + " ('" + std::string(a) + " " + std::string(b) + "'): unknown token");
  }
  // One "left right" line (merges.txt, GGUF, tokenizer.json's string form).
  void add_line(std::string_view line, size_t lineno) {
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp + 1 >= line.size() || line.find(' ', sp + 1) != std::string_view::npos)
      fail(subject, "merge on line " + std::to_string(lineno) + ": expected 'left right'");
    add(line.substr(0, sp), line.substr(sp + 1));
  }
};

AddedToken added_from_json(const json& t, const std::string& subject) {
  if (!t.is_object()) fail(subject, "added token: expected an object");
  AddedToken a;
  const json& c = need(t, "content", subject, "added token");
  if (!c.is_string() || c.get<std::string>().empty()) fail(subject, "added token: content must be a non-empty string");
  a.content = c.get<std::string>();
  a.special = t.value("special", true);
  a.lstrip = t.value("lstrip", false);
  a.rstrip = t.value("rstrip", false);
  a.single_word = t.value("single_word", false);
  return a;
}

void finish_specials(Tokenizer& tk, const TokenizerConfig& cfg) {
  auto id = [&](const std::string& s) { return s.empty() ? -1 : tk.token_id(s).value_or(-1); };
  tk.bos_id = id(cfg.bos);
  tk.eos_id = id(cfg.eos);
  tk.pad_id = id(cfg.pad);
  tk.unk_id = id(cfg.unk);
  tk.chat_template = cfg.chat_template;
  tk.model_max_length = cfg.model_max_length;
}

// Post-processor -> ids put before and after the text (single-sequence case).
void read_post_processor(const json& pp, BpeOptions& opt, const AddedTokens& added, const std::string& subject) {
  if (pp.is_null()) return;
  std::string type = pp.value("type", "");
  if (type == "ByteLevel") return;
  if (type == "Sequence") {
    for (const auto& p : need(pp, "processors", subject, "post_processor")) read_post_processor(p, opt, added, subject);
    return;
  }
  if (type == "TemplateProcessing") {
    const json& single = need(pp, "single", subject, "post_processor");
    const json& specials = pp.contains("special_tokens") ? pp["special_tokens"] : json::object();
    bool seen_text = false;
    for (const auto& item : single) {
      if (item.contains("Sequence")) { seen_text = true; continue; }
      if (!item.contains("SpecialToken")) fail(subject, "post_processor: unsupported template item");
      std::string name = item["SpecialToken"].value("id", "");
      int32_t id = -1;
      auto st = specials.find(name);
      if (st != specials.end() && st->contains("ids") && (*st)["ids"].is_array() && !(*st)["ids"].empty() &&
          (*st)["ids"][0].is_number_integer())
        id = (*st)["ids"][0].get<int32_t>();
      else if (const AddedToken* a = added.by_content(name)) id = a->id;
      if (id < 0) fail(subject, "post_processor: unknown special token '" + name + "'");
      (seen_text ? opt.suffix : opt.prefix).push_back(id);
    }
    return;
  }
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    auto pair_id = [&](const char* k) {
      const json& p = need(pp, k, subject, "post_processor");
      if (!p.is_array() || p.size() != 2 || !p[1].is_number_integer()) fail(subject, std::string("post_processor: bad ") + k);
      return p[1].get<int32_t>();
    };
    opt.prefix.push_back(pair_id("cls"));
    opt.suffix.push_back(pair_id("sep"));
    return;
  }
  fail(subject, "unsupported post_processor type '" + type + "'");
}

void read_pre_tokenizer(const json& pt, BpeOptions& opt, bool* byte_level, const std::string& subject) {
  if (pt.is_null()) return;
  std::string type = pt.value("type", "");
  if (type == "Sequence") {
    for (const auto& p : need(pt, "pretokenizers", subject, "pre_tokenizer")) read_pre_tokenizer(p, opt, byte_level, subject);
  } else if (type == "ByteLevel") {
    *byte_level = true;
    opt.add_prefix_space = pt.value("add_prefix_space", false);
    if (pt.value("use_regex", true)) opt.split_patterns.push_back(kGpt2Pattern);
  } else if (type == "Split") {
    const json& pat = need(pt, "pattern", subject, "pre_tokenizer Split");
    if (pt.value("behavior", "") != "Isolated" || pt.value("invert", false))
      fail(subject, "pre_tokenizer Split: only behavior Isolated without invert is supported");
    if (pat.contains("Regex") && pat["Regex"].is_string()) opt.split_patterns.push_back(pat["Regex"].get<std::string>());
    else fail(subject, "pre_tokenizer Split: only Regex patterns are supported");
  } else {
    fail(subject, "unsupported pre_tokenizer type '" + type + "'");
  }
}

void read_normalizer(const json& n, BpeOptions& opt, const std::string& subject) {
  if (n.is_null()) return;
  std::string type = n.value("type", "");
  if (type == "NFC") opt.nfc = true;
  else if (type == "Sequence") for (const auto& x : need(n, "normalizers", subject, "normalizer")) read_normalizer(x, opt, subject);
  else fail(subject, "unsupported normalizer type '" + type + "'");
}

// (id, printable form) of vocabulary entries outside the byte alphabet, ascending ids.
using Undecodable = std::vector<std::pair<int32_t, std::string>>;

Undecodable collect_undecodable(const std::vector<std::string>& by_id) {
  Undecodable out;
  for (size_t i = 0; i < by_id.size(); ++i)
    if (!by_id[i].empty()) out.emplace_back(int32_t(i), by_id[i]);
  return out;
}

BpeModel model_from(const std::vector<std::string>& bytes, const std::string& subject) {
  BpeModel m;
  if (!m.set_vocab(bytes)) fail(subject, "vocab: more than 4 GiB of token bytes");
  return m;
}

std::unique_ptr<Tokenizer> finish(BpeModel m, const Undecodable& undecodable, AddedTokens added, BpeOptions opt,
                                  const TokenizerConfig& cfg, const std::string& subject) {
  // Vocabulary entries outside the byte alphabet can only be reached as added tokens.
  for (const auto& [id, text] : undecodable)
    if (!added.by_content(text)) added.add({text, id, true, false, false, false});
  auto tk = std::make_unique<ByteLevelBpeTokenizer>(std::move(m), std::move(added), std::move(opt), subject);
  finish_specials(*tk, cfg);
  return tk;
}

std::unique_ptr<Tokenizer> bpe_from_tokenizer_json(const std::string& path, const json& j, const TokenizerConfig& cfg);

}  // namespace

std::unique_ptr<Tokenizer> load_bpe_tokenizer_json(const std::string& path, const json& j, const TokenizerConfig& cfg) {
  return json_guard(path, [&] { return bpe_from_tokenizer_json(path, j, cfg); });
}

namespace {

std::unique_ptr<Tokenizer> bpe_from_tokenizer_json(const std::string& path, const json& j, const TokenizerConfig& cfg) {
  const json& model = need(j, "model", path, "tokenizer.json");
  if (model.value("type", "") != "BPE") fail(path, "model type '" + model.value("type", "") + "' is not BPE");
  BpeOptions opt;
  bool byte_level = false;
  read_normalizer(j.value("normalizer", json()), opt, path);
  read_pre_tokenizer(j.value("pre_tokenizer", json()), opt, &byte_level, path);
  if (!byte_level) fail(path, "only byte-level BPE tokenizer.json files are supported (no ByteLevel pre-tokenizer)");
  std::vector<std::string> undecodable;
  BpeModel bpe = model_from(read_vocab(need(model, "vocab", path, "model"), path, &undecodable), path);
  bpe.ignore_merges = model.value("ignore_merges", false);
  const json& merges = need(model, "merges", path, "model");
  if (!merges.is_array()) fail(path, "model.merges: expected an array");
  bpe.reserve_merges(merges.size());
  MergeAdder adder{bpe, path};
  size_t n = 0;
  for (const auto& m : merges) {
    ++n;
    if (m.is_string()) adder.add_line(m.get_ref<const std::string&>(), n);
    else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
      adder.add(m[0].get_ref<const std::string&>(), m[1].get_ref<const std::string&>());
    else fail(path, "merge " + std::to_string(n) + ": expected \"a b\" or [\"a\", \"b\"]");
  }
  AddedTokens added;
  if (auto it = j.find("added_tokens"); it != j.end() && it->is_array())
    for (const auto& t : *it) {
      AddedToken a = added_from_json(t, path);
      const json& id = need(t, "id", path, "added token");
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= kMaxVocab)
        fail(path, "added token '" + a.content + "': bad id");
      a.id = id.get<int32_t>();
      added.add(a);
    }
  read_post_processor(j.value("post_processor", json()), opt, added, path);
  return finish(std::move(bpe), collect_undecodable(undecodable), std::move(added), std::move(opt), cfg, path);
}

// vocab.json is one flat object {"token": id, ...}; a SAX pass fills the id -> bytes table
// directly (a DOM of 150k entries costs more than everything else in loading).
struct VocabSax : nlohmann::json_sax<json> {
  std::string subject, key_;
  std::vector<std::string> bytes, undecodable;
  size_t entries = 0;
  int depth = 0;
  std::string tmp;
  bool bad(const std::string& why) { fail(subject, why); }
  bool null() override { return bad("vocab: expected integer ids"); }
  bool boolean(bool) override { return bad("vocab: expected integer ids"); }
  bool number_integer(number_integer_t v) override { return id(v); }
  bool number_unsigned(number_unsigned_t v) override { return id(v > uint64_t(kMaxVocab) ? -1 : int64_t(v)); }
  bool number_float(number_float_t, const string_t&) override { return bad("vocab: id of '" + key_ + "' is not an integer"); }
  bool string(string_t&) override { return bad("vocab: id of '" + key_ + "' is not an integer"); }
  bool binary(binary_t&) override { return bad("vocab: unexpected binary value"); }
  bool start_object(std::size_t) override { return ++depth == 1 || bad("vocab: expected a flat object"); }
  bool key(string_t& k) override { key_ = k; return true; }
  bool end_object() override { --depth; return true; }
  bool start_array(std::size_t) override { return bad("vocab: expected a flat object"); }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) override {
    return bad(std::string("invalid JSON: ") + e.what());
  }
  bool id(int64_t id) {
    if (depth != 1) return bad("vocab: expected a flat object");
    ++entries;
    if (id < 0 || id >= kMaxVocab || id >= int64_t(entries) + (1 << 20))
      return bad("vocab: id " + std::to_string(id) + " out of range");
    if (size_t(id) >= bytes.size()) { bytes.resize(size_t(id) + 1); undecodable.resize(bytes.size()); }
    if (!bytes[size_t(id)].empty() || !undecodable[size_t(id)].empty())
      return bad("vocab: id " + std::to_string(id) + " used twice");
    if (byte_level_decode(key_, &tmp) && !tmp.empty()) bytes[size_t(id)] = tmp;
    else undecodable[size_t(id)] = key_;
    return true;
  }
};

std::unique_ptr<Tokenizer> bpe_from_vocab_merges(const std::string& dir, const TokenizerConfig& cfg);

}  // namespace

std::unique_ptr<Tokenizer> load_bpe_vocab_merges(const std::string& dir, const TokenizerConfig& cfg) {
  return json_guard(cfg.path.empty() ? dir : cfg.path, [&] { return bpe_from_vocab_merges(dir, cfg); });
}

namespace {

std::unique_ptr<Tokenizer> bpe_from_vocab_merges(const std::string& dir, const TokenizerConfig& cfg) {
  std::string vpath = dir + "/vocab.json", mpath = dir + "/merges.txt";
  VocabSax sax;
  sax.subject = vpath;
  {
    std::string text = read_file(vpath, 64ull << 20);
    json::sax_parse(text, &sax);
    if (sax.entries == 0) fail(vpath, "empty vocabulary");
  }
  BpeModel bpe = model_from(sax.bytes, vpath);
  sax.bytes = {};
  Undecodable undecodable = collect_undecodable(sax.undecodable);
  std::string text = read_file(mpath, 64ull << 20);
  bpe.reserve_merges(size_t(std::count(text.begin(), text.end(), '\n')) + 1);
  MergeAdder adder{bpe, mpath};
  size_t lineno = 0, pos = 0;
  while (pos < text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    std::string_view line(text.data() + pos, e - pos);
    pos = e + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || (lineno == 1 && line.rfind("#version", 0) == 0)) continue;
    adder.add_line(line, lineno);
  }
  BpeOptions opt;
  // The slow tokenizer classes fix the pre-tokenization in code; tokenizer_config names the class.
  if (cfg.tokenizer_class.rfind("Qwen2Tokenizer", 0) == 0) {
    opt.nfc = true;
    opt.split_patterns.push_back(kQwen2Pattern);
  } else {
    opt.split_patterns.push_back(kGpt2Pattern);
    opt.add_prefix_space = cfg.raw.value("add_prefix_space", false);
  }
  AddedTokens added;
  if (auto it = cfg.raw.find("added_tokens_decoder"); it != cfg.raw.end() && it->is_object())
    for (auto t = it->begin(); t != it->end(); ++t) {
      AddedToken a = added_from_json(*t, cfg.path);
      char* end = nullptr;
      long long id = std::strtoll(t.key().c_str(), &end, 10);
      if (t.key().empty() || *end || id < 0 || id >= kMaxVocab) fail(cfg.path, "added_tokens_decoder: bad id '" + t.key() + "'");
      a.id = int32_t(id);
      added.add(a);
    }
  // Special tokens named in the config that live in vocab.json are matched whole, too.
  for (const std::string* s : {&cfg.bos, &cfg.eos, &cfg.unk, &cfg.pad}) {
    if (s->empty() || added.by_content(*s)) continue;
    std::string b;
    int32_t id = byte_level_decode(*s, &b) ? bpe.find(b) : -1;
    for (const auto& [i, t] : undecodable)  // the lowest id wins, as a scan by id would find
      if (t == *s && (id < 0 || i < id)) { id = i; break; }
    if (id >= 0) added.add({*s, id});
  }
  // GPT-2 style configs may ask for BOS/EOS around every text (add_bos_token / add_eos_token).
  if (cfg.has_add_bos && cfg.add_bos && !cfg.bos.empty())
    if (const AddedToken* a = added.by_content(cfg.bos)) opt.prefix.push_back(a->id);
  if (cfg.has_add_eos && cfg.add_eos && !cfg.eos.empty())
    if (const AddedToken* a = added.by_content(cfg.eos)) opt.suffix.push_back(a->id);
  return finish(std::move(bpe), undecodable, std::move(added), std::move(opt), cfg, mpath);
}

}  // namespace

std::unique_ptr<Tokenizer> load_bpe_parts(const std::vector<std::string_view>& tokens,
                                          const std::vector<std::string_view>& merges, AddedTokens added,
                                          BpeOptions opt, const TokenizerConfig& cfg, const std::string& subject) {
  if (int64_t(tokens.size()) > kMaxVocab) fail(subject, "too many tokens");
  BpeModel bpe;
  size_t total = 0;
  for (auto t : tokens) total += t.size();  // decoded bytes are never longer than the printable form
  bpe.reserve_vocab(tokens.size(), total);
  Undecodable undecodable;
  std::string b;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!byte_level_decode(tokens[i], &b) || b.empty()) {
      undecodable.emplace_back(int32_t(i), std::string(tokens[i]));
      b.clear();
    }
    if (!bpe.add_token(b)) fail(subject, "tokens: more than 4 GiB of token bytes");
  }
  bpe.index_vocab();
  bpe.reserve_merges(merges.size());
  MergeAdder adder{bpe, subject};
  for (size_t i = 0; i < merges.size(); ++i) adder.add_line(merges[i], i + 1);
  return finish(std::move(bpe), undecodable, std::move(added), std::move(opt), cfg, subject);
}

}  // namespace sprout::tok
