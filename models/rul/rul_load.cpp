// Loading the RUL model: shape checks against the config, BatchNorm folding,
// bias merging and the optional int8 (q8_0) copies of the linear weights.
#include <cmath>
#include <filesystem>

#include "engine/error.h"
#include "engine/quantize.h"
#include "loaders/weights.h"
#include "models/rul/rul.h"

namespace sprout::rul {

class RulLoader {
 public:
  RulLoader(RulModel& m, const std::string& dir, bool int8) : m_(m), int8_(int8) {
    m_.store_ = WeightStore::open(dir);
    file_ = m_.store_->files().empty() ? dir : m_.store_->files()[0];
  }

  // A tensor with the expected shape, or Error(file, cause).
  Tensor get(const std::string& name, std::initializer_list<int64_t> shape) {
    Tensor t = m_.store_->get(name);
    bool ok = t.ndim == int(shape.size());
    int i = 0;
    for (int64_t d : shape) ok = ok && t.shape[size_t(i++)] == d;
    if (!ok) {
      std::string want = "[";
      for (int64_t d : shape) want += (want.size() > 1 ? ", " : "") + std::to_string(d);
      fail(file_, "tensor '" + name + "': shape " + t.shape_str() + ", expected " + want + "]");
    }
    m_.parameters_ += t.numel();
    return t;
  }
  std::vector<float> vec(const std::string& name, int64_t n) {
    Tensor t = get(name, {n});
    m_.weight_bytes_ += t.nbytes();
    return to_f32(t);
  }
  // A linear weight: the mapped view, or a q8_0 copy when int8 is on and rows allow it.
  Tensor matrix(const std::string& name, int64_t out, int64_t in) {
    Tensor t = get(name, {out, in});
    if (!int8_ || in % 32 != 0) {
      m_.weight_bytes_ += t.nbytes();
      return t;
    }
    const std::vector<float> f = to_f32(t);
    const uint64_t rb = *row_bytes(DType::q8_0, uint64_t(in));
    std::vector<uint8_t>& buf = m_.owned_.emplace_back(rb * uint64_t(out));
    for (int64_t r = 0; r < out; ++r) quantize_row(DType::q8_0, f.data() + r * in, in, buf.data() + r * rb);
    m_.weight_bytes_ += buf.size();
    return make_tensor(DType::q8_0, {out, in}, buf.data());
  }
  RulModel::Dense dense(const std::string& prefix, int64_t out, int64_t in) {
    return {matrix(prefix + ".weight", out, in), vec(prefix + ".bias", out)};
  }

  void load() {
    const RulConfig& c = m_.cfg_;
    // Conv blocks: fold BatchNorm (eval mode) into the conv weight and bias:
    //   s = gamma / sqrt(var + eps);  w' = w * s;  b' = (b - mean) * s + beta
    int cin = c.n_features();
    for (size_t i = 0; i < c.conv_channels.size(); ++i) {
      const std::string p = "convs." + std::to_string(i);
      const int cout = c.conv_channels[i], k = c.conv_kernels[i];
      RulModel::Conv cv{to_f32(get(p + ".conv.weight", {cout, cin, k})), vec(p + ".conv.bias", cout), cin, cout, k};
      const auto gamma = vec(p + ".bn.weight", cout), beta = vec(p + ".bn.bias", cout);
      const auto mean = vec(p + ".bn.running_mean", cout), var = vec(p + ".bn.running_var", cout);
      for (int o = 0; o < cout; ++o) {
        const float s = gamma[size_t(o)] / std::sqrt(var[size_t(o)] + c.bn_eps);
        for (int j = 0; j < cin * k; ++j) cv.w[size_t(o * cin * k + j)] *= s;
        cv.b[size_t(o)] = (cv.b[size_t(o)] - mean[size_t(o)]) * s + beta[size_t(o)];
      }
      m_.weight_bytes_ += cv.w.size() * sizeof(float);
      m_.convs_.push_back(std::move(cv));
      cin = cout;
    }
    // LSTM: per layer and direction, W_ih [4H, in], W_hh [4H, H], one summed bias.
    const int H = c.lstm_hidden, D = c.directions();
    for (int l = 0; l < c.lstm_layers; ++l) {
      const int in = l == 0 ? cin : H * D;
      for (int d = 0; d < D; ++d) {
        const std::string sfx = "_l" + std::to_string(l) + (d == 1 ? "_reverse" : "");
        RulModel::LstmDir ld{matrix("lstm.weight_ih" + sfx, 4 * H, in), matrix("lstm.weight_hh" + sfx, 4 * H, H),
                             vec("lstm.bias_ih" + sfx, 4 * H)};
        const auto bhh = vec("lstm.bias_hh" + sfx, 4 * H);
        for (int j = 0; j < 4 * H; ++j) ld.bias[size_t(j)] += bhh[size_t(j)];
        m_.lstm_.push_back(std::move(ld));
      }
    }
    const int E = c.embed();
    m_.ln_g_ = vec("norm.weight", E);
    m_.ln_b_ = vec("norm.bias", E);
    m_.in_proj_ = {matrix("attn.in_proj_weight", 3 * E, E), vec("attn.in_proj_bias", 3 * E)};
    m_.out_proj_ = dense("attn.out_proj", E, E);
    m_.rul1_ = dense("rul_head.fc1", c.rul_hidden, E);
    m_.rul2_ = dense("rul_head.fc2", 1, c.rul_hidden);
    m_.health1_ = dense("health_head.fc1", c.health_hidden, E);
    m_.health2_ = dense("health_head.fc2", c.n_classes(), c.health_hidden);
  }

 private:
  RulModel& m_;
  bool int8_;
  std::string file_;
};

RulModel RulModel::load(const std::string& dir, const RulLoadOptions& opt) {
  RulModel m;
  m.cfg_ = load_rul_config(dir);
  m.chunk_ = opt.chunk < 1 ? 1 : opt.chunk;
  std::error_code ec;
  const std::string weights = std::filesystem::is_directory(dir, ec)
                                  ? (std::filesystem::path(dir) / "model.safetensors").string()
                                  : dir;
  RulLoader(m, weights, opt.int8).load();
  return m;
}

RulModel::RulModel(RulModel&&) noexcept = default;
RulModel& RulModel::operator=(RulModel&&) noexcept = default;
RulModel::~RulModel() = default;

}  // namespace sprout::rul
