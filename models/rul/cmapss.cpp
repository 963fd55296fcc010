#include "models/rul/cmapss.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/error.h"

namespace sprout::rul {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

std::vector<CmapssUnit> parse_cmapss(const std::string& text, const std::string& name) {
  std::vector<CmapssUnit> units;
  std::vector<int> seen;  // unit ids already closed, to reject a unit split in two
  size_t pos = 0;
  int64_t line_no = 0;
  double row[kCmapssColumns];
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    const char* p = text.data() + pos;
    const char* e = text.data() + end;
    pos = end + 1;
    auto where = [&] { return "line " + std::to_string(line_no) + ": "; };

    int n = 0;
    while (true) {
      while (p < e && is_space(*p)) ++p;
      if (p == e) break;
      if (n == kCmapssColumns) fail(name, where() + "more than " + std::to_string(kCmapssColumns) + " columns");
      double v = 0;
      auto [q, ec] = std::from_chars(p, e, v);
      if (ec != std::errc() || (q < e && !is_space(*q))) {
        const char* tok_end = p;
        while (tok_end < e && !is_space(*tok_end)) ++tok_end;
        std::string tok(p, size_t(std::min<ptrdiff_t>(tok_end - p, 32)));
        fail(name, where() + "column " + std::to_string(n + 1) + ": '" + tok + "' is not a number");
      }
      if (!std::isfinite(v)) fail(name, where() + "column " + std::to_string(n + 1) + ": value is not finite");
      row[n++] = v;
      p = q;
    }
    if (n == 0) continue;  // blank line
    if (n != kCmapssColumns)
      fail(name, where() + "expected " + std::to_string(kCmapssColumns) + " columns, found " + std::to_string(n));
    if (row[0] != std::floor(row[0]) || row[0] < 1 || row[0] > 1e9)
      fail(name, where() + "unit id must be a positive integer");
    const int id = int(row[0]);
    if (units.empty() || units.back().id != id) {
      for (int s : seen)
        if (s == id) fail(name, where() + "rows of unit " + std::to_string(id) + " are not consecutive");
      if (!units.empty()) seen.push_back(units.back().id);
      units.push_back(CmapssUnit{id, {}});
    }
    units.back().rows.insert(units.back().rows.end(), row, row + kCmapssColumns);
  }
  if (units.empty()) fail(name, "no data rows");
  return units;
}

std::vector<CmapssUnit> read_cmapss(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, expected a C-MAPSS text file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > (uint64_t(1) << 30)) fail(path, "larger than 1 GiB");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_cmapss(ss.str(), path);
}

void last_window(const RulConfig& cfg, const CmapssUnit& unit, float* out) {
  const int F = cfg.n_features(), W = cfg.window;
  const int64_t n = unit.cycles();
  for (int t = 0; t < W; ++t) {
    // Row of the unit that lands at window step t; before the first cycle, the first row.
    const int64_t r = std::max<int64_t>(0, n - W + t);
    const double* src = unit.rows.data() + r * kCmapssColumns;
    for (int f = 0; f < F; ++f) {
      const double lo = cfg.scale_min[size_t(f)], range = cfg.scale_max[size_t(f)] - lo;
      const double inv = range > 0 ? 1.0 / range : 0.0;
      out[t * F + f] = float((src[cfg.feature_columns[size_t(f)]] - lo) * inv);
    }
  }
}

}  // namespace sprout::rul
