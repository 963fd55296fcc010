#include "models/rul/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/error.h"

namespace sprout::rul {
namespace {

using nlohmann::json;

// Small checked accessors: every failure names the file and the key.
struct Reader {
  std::string path;

  const json& at(const json& j, const char* key) const {
    if (!j.is_object() || !j.contains(key)) fail(path, std::string("missing key '") + key + "'");
    return j.at(key);
  }
  int integer(const json& j, const char* key, int lo, int hi) const {
    const json& v = at(j, key);
    if (!v.is_number_integer()) fail(path, std::string("key '") + key + "': expected integer");
    const long long x = v.get<long long>();
    if (x < lo || x > hi)
      fail(path, std::string("key '") + key + "': " + std::to_string(x) + " is outside " + std::to_string(lo) +
                     ".." + std::to_string(hi));
    return int(x);
  }
  double number(const json& j, const char* key) const {
    const json& v = at(j, key);
    if (!v.is_number()) fail(path, std::string("key '") + key + "': expected number");
    return v.get<double>();
  }
  bool boolean(const json& j, const char* key) const {
    const json& v = at(j, key);
    if (!v.is_boolean()) fail(path, std::string("key '") + key + "': expected true or false");
    return v.get<bool>();
  }
  std::string string(const json& j, const char* key) const {
    const json& v = at(j, key);
    if (!v.is_string()) fail(path, std::string("key '") + key + "': expected string");
    return v.get<std::string>();
  }
  const json& array(const json& j, const char* key, size_t min_len, size_t max_len) const {
    const json& v = at(j, key);
    if (!v.is_array()) fail(path, std::string("key '") + key + "': expected array");
    if (v.size() < min_len || v.size() > max_len)
      fail(path, std::string("key '") + key + "': expected " + std::to_string(min_len) + ".." +
                     std::to_string(max_len) + " entries, found " + std::to_string(v.size()));
    return v;
  }
  std::vector<int> ints(const json& j, const char* key, size_t n_min, size_t n_max, int lo, int hi) const {
    std::vector<int> out;
    for (const json& v : array(j, key, n_min, n_max)) {
      if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
        fail(path, std::string("key '") + key + "': expected integers in " + std::to_string(lo) + ".." +
                       std::to_string(hi));
      out.push_back(v.get<int>());
    }
    return out;
  }
  std::vector<double> numbers(const json& j, const char* key, size_t n) const {
    std::vector<double> out;
    for (const json& v : array(j, key, n, n)) {
      if (!v.is_number()) fail(path, std::string("key '") + key + "': expected numbers");
      out.push_back(v.get<double>());
    }
    return out;
  }
  std::vector<std::string> strings(const json& j, const char* key, size_t n_min, size_t n_max) const {
    std::vector<std::string> out;
    for (const json& v : array(j, key, n_min, n_max)) {
      if (!v.is_string()) fail(path, std::string("key '") + key + "': expected strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
};

}  // namespace

RulConfig load_rul_config(const std::string& where) {
  namespace fs = std::filesystem;
  std::string path = where;
  std::error_code ec;
  if (fs::is_directory(where, ec)) path = (fs::path(where) / "config.json").string();
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  if (fs::file_size(path, ec) > (1u << 20)) fail(path, "config larger than 1 MiB");
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) fail(path, "not a JSON object");

  Reader r{path};
  RulConfig c;
  if (r.string(j, "model_type") != "cnn_bilstm_attention_rul")
    fail(path, "key 'model_type': expected \"cnn_bilstm_attention_rul\"");
  c.window = r.integer(j, "window", 1, 4096);
  c.features = r.strings(j, "features", 1, 26);
  c.feature_columns = r.ints(j, "feature_columns", c.features.size(), c.features.size(), 2, 25);
  if (r.string(j, "padding") != "repeat_first") fail(path, "key 'padding': only \"repeat_first\" is supported");

  const json& sc = r.at(j, "scaling");
  if (r.string(sc, "type") != "minmax") fail(path, "key 'type': only \"minmax\" scaling is supported");
  c.scale_min = r.numbers(sc, "min", c.features.size());
  c.scale_max = r.numbers(sc, "max", c.features.size());

  const json& conv = r.at(j, "conv");
  c.conv_channels = r.ints(conv, "channels", 0, 16, 1, 4096);
  c.conv_kernels = r.ints(conv, "kernel_sizes", c.conv_channels.size(), c.conv_channels.size(), 1, 63);
  for (int k : c.conv_kernels)
    if (k % 2 == 0) fail(path, "key 'kernel_sizes': kernels must be odd (same padding)");
  c.bn_eps = float(r.number(conv, "batch_norm_eps"));

  const json& lstm = r.at(j, "lstm");
  c.lstm_hidden = r.integer(lstm, "hidden_size", 1, 4096);
  c.lstm_layers = r.integer(lstm, "num_layers", 1, 16);
  c.bidirectional = r.boolean(lstm, "bidirectional");
  c.ln_eps = float(r.number(j, "layer_norm_eps"));

  const json& att = r.at(j, "attention");
  c.heads = r.integer(att, "num_heads", 1, 256);
  c.residual = r.boolean(att, "residual");
  if (c.embed() % c.heads != 0) fail(path, "key 'num_heads': must divide the LSTM output width");

  const std::string pool = r.string(j, "pooling");
  if (pool == "mean") c.pooling = Pooling::mean;
  else if (pool == "max") c.pooling = Pooling::max;
  else if (pool == "last") c.pooling = Pooling::last;
  else fail(path, "key 'pooling': expected \"mean\", \"max\" or \"last\"");

  c.rul_hidden = r.integer(r.at(j, "rul_head"), "hidden", 1, 65536);
  c.health_hidden = r.integer(r.at(j, "health_head"), "hidden", 1, 65536);
  c.rul_scale = float(r.number(j, "rul_scale"));
  c.classes = r.strings(j, "health_classes", 1, 64);
  const json& th = r.at(j, "class_thresholds");
  c.healthy_above = r.number(th, "healthy_above");
  c.critical_at_or_below = r.number(th, "critical_at_or_below");
  return c;
}

}  // namespace sprout::rul
