// SentencePiece models (BPE and unigram) through libsentencepiece, with the Hugging Face
// conventions of the tokenizer class named in tokenizer_config.json:
//   LlamaTokenizer (and any other class): ids = SentencePiece ids; BOS unless add_bos_token
//     is false, EOS only if add_eos_token is true.
//   XLMRobertaTokenizer, or any sentencepiece.bpe.model (fairseq): <s>=0 <pad>=1 </s>=2 <unk>=3, a piece's id is its
//     SentencePiece id + 1 (SentencePiece id 0 -> <unk>), <mask> after the pieces;
//     a text is <s> pieces </s>.
//   NllbTokenizer (fairseq): as XLM-R, then the language codes of special_tokens_map.json
//     in that order after the pieces, then <mask>; a source text is [src_lang] pieces </s>
//     (legacy_behaviour false, src_lang eng_Latn unless tokenizer_config.json says otherwise).
// Special tokens written in the text are matched first, as HF does; each run of text
// between them is encoded on its own.
#include <sentencepiece_processor.h>

#include "engine/error.h"
#include "loaders/tokenizer/added_tokens.h"
#include "loaders/tokenizer/loaders.h"
#include "loaders/tokenizer/utf8.h"

namespace sprout::tok {

namespace {

enum class Convention { plain, fairseq_xlmr, fairseq_nllb };

class SpmTokenizer : public Tokenizer {
 public:
  // bytes: a serialized ModelProto; subject names it in errors; dir holds the HF config files.
  SpmTokenizer(const std::string& bytes, const std::string& model_path, const std::string& dir,
               const TokenizerConfig& cfg) {
    kind = "spm";
    auto st = sp_.LoadFromSerializedProto(bytes);
    if (!st.ok()) fail(model_path, "not a SentencePiece model: " + st.ToString());
    n_pieces_ = sp_.GetPieceSize();
    if (n_pieces_ <= 0) fail(model_path, "SentencePiece model has no pieces");
    const std::string& cls = cfg.tokenizer_class;
    chat_template = cfg.chat_template;
    model_max_length = cfg.model_max_length;
    // sentencepiece.bpe.model is the fairseq file name (XLM-R, CamemBERT, NLLB ...); some
    // converted copies name another class in their config but keep the fairseq vocabulary.
    bool fairseq_file = model_path.size() >= 23 && model_path.compare(model_path.size() - 23, 23, "sentencepiece.bpe.model") == 0;
    if (cls.rfind("Nllb", 0) == 0 || cls.rfind("M2M100", 0) == 0) conv_ = Convention::fairseq_nllb;
    else if (cls.rfind("XLMRoberta", 0) == 0 || cls.rfind("Camembert", 0) == 0 || fairseq_file)
      conv_ = Convention::fairseq_xlmr;

    if (conv_ == Convention::plain) {
      vocab_ = n_pieces_;
      for (int i = 0; i < n_pieces_; ++i)
        if (sp_.IsControl(i) || sp_.IsUnknown(i)) added_.add({sp_.IdToPiece(i), i, true});
      bos_id = sp_.bos_id();
      eos_id = sp_.eos_id();
      pad_id = sp_.pad_id();
      unk_id = sp_.unk_id();
      bool add_bos = cfg.has_add_bos ? cfg.add_bos : true;  // LlamaTokenizer's default
      bool add_eos = cfg.has_add_eos ? cfg.add_eos : false;
      if (add_bos && bos_id >= 0) prefix_.push_back(bos_id);
      if (add_eos && eos_id >= 0) suffix_.push_back(eos_id);
    } else {
      // fairseq dictionary order: <s> <pad> </s> <unk>, then the pieces shifted by one.
      bos_id = 0, pad_id = 1, eos_id = 2, unk_id = 3;
      for (auto [s, id] : {std::pair{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}}) added_.add({s, id, true});
      int32_t next = n_pieces_ + 1;
      if (conv_ == Convention::fairseq_nllb) {
        std::string map_path = dir + "/special_tokens_map.json";
        if (!file_exists(map_path)) fail(dir, "NllbTokenizer needs special_tokens_map.json (the language codes)");
        auto m = load_json_file(map_path, 4ull << 20);
        auto it = m.find("additional_special_tokens");
        if (it == m.end() || !it->is_array() || it->empty())
          fail(map_path, "missing key 'additional_special_tokens' (the language codes)");
        for (const auto& code : *it) {
          std::string c = code.is_string() ? code.get<std::string>() : token_string(nlohmann::json{{"t", code}}, "t");
          if (c.empty()) fail(map_path, "additional_special_tokens: expected strings");
          if (!added_.by_content(c)) added_.add({c, next++, true});
        }
        std::string src = cfg.raw.value("src_lang", nlohmann::json()).is_string() ? cfg.raw["src_lang"].get<std::string>()
                                                                                   : "eng_Latn";
        if (!set_src_lang(src)) fail(cfg.path, "src_lang '" + src + "' is not a language code of this tokenizer");
        suffix_.push_back(eos_id);
      } else {
        prefix_.push_back(bos_id);
        suffix_.push_back(eos_id);
      }
      AddedToken mask{"<mask>", next++, true, /*lstrip=*/true};
      added_.add(mask);
      vocab_ = next;
    }
  }

  // Extension for NLLB: the language code put before a source text.
  bool set_src_lang(const std::string& code) override {
    const AddedToken* t = added_.by_content(code);
    if (!t || conv_ != Convention::fairseq_nllb || t->id <= n_pieces_) return false;
    prefix_.assign(1, t->id);
    return true;
  }

  std::vector<int32_t> encode(std::string_view raw, bool add_special) const override {
    std::string text = utf8_sanitize(raw);
    std::vector<int32_t> out;
    if (add_special) out.insert(out.end(), prefix_.begin(), prefix_.end());
    std::vector<int> ids;
    for (const auto& piece : added_.split(text)) {
      if (piece.id >= 0) { out.push_back(piece.id); continue; }
      ids.clear();
      auto st = sp_.Encode(piece.text, &ids);
      if (!st.ok()) fail("sentencepiece", st.ToString());
      for (int id : ids) out.push_back(to_hf(id));
    }
    if (add_special) out.insert(out.end(), suffix_.begin(), suffix_.end());
    return out;
  }

  std::string decode(const std::vector<int32_t>& ids, bool skip_special) const override {
    std::string out;
    std::vector<int> run;
    auto flush = [&] {
      if (run.empty()) return;
      std::string s;
      sp_.Decode(run, &s);
      out += s;
      run.clear();
    };
    for (int32_t id : ids) {
      int spm = to_spm(id);
      if (spm >= 0 && !sp_.IsControl(spm) && !is_special(id)) { run.push_back(spm); continue; }
      flush();
      if (skip_special && is_special(id)) continue;
      out += special_text(id);
    }
    flush();
    return utf8_sanitize(out);
  }

  std::string piece_bytes(int32_t id) const override {
    int spm = to_spm(id);
    if (spm < 0 || is_special(id)) return special_text(id);
    if (sp_.IsByte(spm)) {  // <0xAB>
      std::string p = sp_.IdToPiece(spm);
      return std::string(1, char(std::strtol(p.substr(3, 2).c_str(), nullptr, 16)));
    }
    std::string p = sp_.IdToPiece(spm), out;
    for (size_t i = 0; i < p.size();) {  // U+2581 (▁) stands for a space
      if (p.compare(i, 3, "\xE2\x96\x81") == 0) { out += ' '; i += 3; }
      else out += p[i++];
    }
    return out;
  }

  std::optional<int32_t> token_id(std::string_view token) const override {
    if (const AddedToken* t = added_.by_content(token)) return t->id;
    int spm = sp_.PieceToId(std::string(token));
    if (spm == sp_.unk_id() && token != sp_.IdToPiece(spm)) return std::nullopt;
    return to_hf(spm);
  }

  int32_t vocab_size() const override { return vocab_; }
  bool is_special(int32_t id) const override {
    const AddedToken* t = added_.by_id(id);
    return t && t->special;
  }

 protected:
  std::pair<int, int> special_added() const override { return {int(prefix_.size()), int(suffix_.size())}; }

 private:
  sentencepiece::SentencePieceProcessor sp_;
  Convention conv_ = Convention::plain;
  int n_pieces_ = 0;
  int32_t vocab_ = 0;
  AddedTokens added_;
  std::vector<int32_t> prefix_, suffix_;

  int32_t to_hf(int spm) const {
    if (conv_ == Convention::plain) return spm;
    return spm != 0 ? spm + 1 : unk_id;  // HF: "spm_id + fairseq_offset if spm_id else unk_token_id"
  }
  int to_spm(int32_t id) const {
    if (conv_ == Convention::plain) return id >= 0 && id < n_pieces_ ? id : -1;
    return id >= 4 && id <= n_pieces_ ? id - 1 : -1;
  }
  std::string special_text(int32_t id) const {
    if (const AddedToken* t = added_.by_id(id)) return t->content;
    return "";
  }
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& model_path, const std::string& dir,
                                              const TokenizerConfig& cfg) {
  return std::make_unique<SpmTokenizer>(read_file(model_path, 512ull << 20), model_path, dir, cfg);
}

std::unique_ptr<Tokenizer> load_sentencepiece_proto(const std::string& bytes, const std::string& subject,
                                                    const TokenizerConfig& cfg) {
  return std::make_unique<SpmTokenizer>(bytes, subject, "", cfg);
}

}  // namespace sprout::tok
