#include "loaders/weights.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "engine/error.h"
#include "loaders/json_util.h"
#include "loaders/safetensors.h"

namespace sprout {
namespace {

namespace fs = std::filesystem;

bool is_dir(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Tensor lookup shared by both stores.
class IndexedStore : public WeightStore {
 public:
  bool has(std::string_view name) const override { return index_.count(name) != 0; }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    out.reserve(infos_.size());
    for (const TensorInfo& t : infos_) out.push_back(t.name);
    return out;
  }
  const std::vector<TensorInfo>& infos() const override { return infos_; }
  Tensor get(std::string_view name) const override {
    auto it = index_.find(name);
    if (it == index_.end()) fail(subject_, "missing tensor '" + std::string(name) + "'");
    const auto& [info, file] = it->second;
    return tensor_view(*info, file->data(), file->path());
  }

 protected:
  // Call once infos_ is final (pointers into it are kept).
  void add_index(size_t i, const MappedFile* file) { index_.emplace(infos_[i].name, std::make_pair(&infos_[i], file)); }
  std::string subject_;
  std::vector<TensorInfo> infos_;
  std::map<std::string, std::pair<const TensorInfo*, const MappedFile*>, std::less<>> index_;
};

class GgufStore final : public IndexedStore {
 public:
  explicit GgufStore(std::unique_ptr<GgufFile> g) : g_(std::move(g)) {
    subject_ = g_->file().path();
    infos_ = g_->tensors();
    for (size_t i = 0; i < infos_.size(); ++i) add_index(i, &g_->file());
  }
  std::string format() const override { return "gguf"; }
  const GgufFile* gguf() const override { return g_.get(); }
  uint64_t file_bytes() const override { return g_->file().size(); }
  std::vector<std::string> files() const override { return {g_->file().path()}; }
  void check_unchanged() const override { g_->file().check_unchanged(); }

 private:
  std::unique_ptr<GgufFile> g_;
};

class SafetensorsStore final : public IndexedStore {
 public:
  SafetensorsStore(const std::string& subject, std::vector<std::unique_ptr<SafetensorsFile>> shards,
                   std::map<std::string, std::string> index_map, std::map<std::string, std::string> index_meta)
      : shards_(std::move(shards)), meta_(std::move(index_meta)) {
    subject_ = subject;
    std::vector<const MappedFile*> owner;
    for (const auto& sp : shards_) {
      const SafetensorsFile& s = *sp;
      for (const auto& [k, v] : s.metadata()) meta_.emplace(k, v);
      for (const TensorInfo& t : s.tensors()) {
        infos_.push_back(t);
        owner.push_back(&s.file());
      }
    }
    std::set<std::string_view> seen;
    for (size_t i = 0; i < infos_.size(); ++i) {
      if (!seen.insert(infos_[i].name).second)
        fail(subject_, "tensor '" + infos_[i].name + "' appears in more than one shard");
      add_index(i, owner[i]);
    }
    // The index must agree with the shards: every listed tensor in its listed shard.
    for (const auto& [name, shard] : index_map) {
      auto it = index_.find(name);
      if (it == index_.end())
        fail(subject_, "model.safetensors.index.json lists tensor '" + name + "' but no shard holds it");
      if (fs::path(it->second.second->path()).filename() != shard)
        fail(subject_, "tensor '" + name + "' is in " + fs::path(it->second.second->path()).filename().string() +
                           ", not in " + shard + " as the index says");
    }
  }
  std::string format() const override { return "safetensors"; }
  uint64_t file_bytes() const override {
    uint64_t n = 0;
    for (const auto& s : shards_) n += s->file().size();
    return n;
  }
  std::map<std::string, std::string> metadata() const override { return meta_; }
  std::vector<std::string> files() const override {
    std::vector<std::string> out;
    for (const auto& s : shards_) out.push_back(s->file().path());
    return out;
  }
  void check_unchanged() const override {
    for (const auto& s : shards_) s->file().check_unchanged();
  }

 private:
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  std::map<std::string, std::string> meta_;
};

// Parses model.safetensors.index.json: tensor -> shard file name.
void read_index(const std::string& index_path, std::map<std::string, std::string>* map,
                std::map<std::string, std::string>* meta, std::vector<std::string>* shards) {
  const Json j = load_json(index_path);
  if (!j.is_object()) fail(index_path, "expected a JSON object");
  const auto wm = j.find("weight_map");
  if (wm == j.end() || !wm->is_object()) fail(index_path, "missing key 'weight_map'");
  std::set<std::string> uniq;
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    if (!it->is_string()) fail(index_path, "weight_map '" + it.key() + "': expected string, got " + json_kind(*it));
    const std::string shard = it->get<std::string>();
    // Shards are plain names next to the index: never a path out of the directory.
    if (shard.empty() || shard == "." || shard == ".." || shard.find('/') != std::string::npos ||
        shard.find('\\') != std::string::npos || shard.find('\0') != std::string::npos)
      fail(index_path, "weight_map '" + it.key() + "': shard '" + shard + "' is not a plain file name");
    (*map)[it.key()] = shard;
    if (uniq.insert(shard).second) shards->push_back(shard);
  }
  if (auto m = j.find("metadata"); m != j.end() && m->is_object())
    for (auto it = m->begin(); it != m->end(); ++it)
      (*meta)[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  std::sort(shards->begin(), shards->end());
}

std::unique_ptr<WeightStore> open_dir(const std::string& dir, bool use_mmap) {
  const std::string index = dir + "/model.safetensors.index.json";
  std::map<std::string, std::string> map, meta;
  std::vector<std::string> paths;
  struct stat st{};
  if (::stat(index.c_str(), &st) == 0) {
    std::vector<std::string> shards;
    read_index(index, &map, &meta, &shards);
    if (shards.empty()) fail(index, "weight_map lists no tensors");
    for (const std::string& s : shards) paths.push_back(dir + "/" + s);
  } else {
    paths = safetensors_files_in(dir);
  }
  std::vector<std::unique_ptr<SafetensorsFile>> shards;
  for (const std::string& p : paths) shards.push_back(SafetensorsFile::open(p, use_mmap));
  return std::make_unique<SafetensorsStore>(dir, std::move(shards), std::move(map), std::move(meta));
}

}  // namespace

std::vector<std::string> safetensors_files_in(const std::string& dir) {
  const std::string index = dir + "/model.safetensors.index.json";
  struct stat st{};
  if (::stat(index.c_str(), &st) == 0) {
    std::map<std::string, std::string> map, meta;
    std::vector<std::string> shards, out;
    read_index(index, &map, &meta, &shards);
    for (const std::string& s : shards) out.push_back(dir + "/" + s);
    return out;
  }
  const std::string single = dir + "/model.safetensors";
  if (::stat(single.c_str(), &st) == 0) return {single};
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (ends_with(e.path().filename().string(), ".safetensors")) found.push_back(e.path().string());
  if (ec) fail(dir, "cannot list directory: " + ec.message());
  if (found.size() == 1) return found;
  if (found.empty()) fail(dir, "no model.safetensors or model.safetensors.index.json in the directory");
  fail(dir, std::to_string(found.size()) + " .safetensors files but no model.safetensors.index.json");
}

std::unique_ptr<WeightStore> WeightStore::open(const std::string& path, bool use_mmap) {
  if (is_dir(path)) return open_dir(path, use_mmap);
  auto file = MappedFile::open(path, use_mmap);
  // Decide by content, not by name: GGUF starts with its magic; safetensors
  // with a u64 length followed by '{'.
  const uint8_t* d = file->data();
  if (file->size() >= 4 && d[0] == 'G' && d[1] == 'G' && d[2] == 'U' && d[3] == 'F')
    return std::make_unique<GgufStore>(GgufFile::parse(file));
  if (ends_with(path, ".gguf")) return std::make_unique<GgufStore>(GgufFile::parse(file));  // reports the bad magic
  if (ends_with(path, ".safetensors") || (file->size() > 8 && d[8] == '{')) {
    std::vector<std::unique_ptr<SafetensorsFile>> one;
    one.push_back(SafetensorsFile::parse(file));
    return std::make_unique<SafetensorsStore>(path, std::move(one), std::map<std::string, std::string>{},
                                              std::map<std::string, std::string>{});
  }
  fail(path, "unknown model format (expected a .gguf, a .safetensors or a model directory)");
}

}  // namespace sprout
