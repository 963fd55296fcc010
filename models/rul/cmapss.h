// NASA C-MAPSS sensor files and the model's input windows.
//
// A C-MAPSS file is text, one engine cycle per line: 26 space-separated numbers
// (unit, cycle, 3 operating settings, 21 sensors), often with trailing spaces.
// Rows of one unit are consecutive. Preprocessing matches tools/rul/rul_model.py
// exactly: min-max scaling in double precision with the config's training
// statistics (a feature with a zero training range scales to 0), then float; a
// unit with fewer cycles than the window repeats its first row at the front.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/rul/config.h"

namespace sprout::rul {

constexpr int kCmapssColumns = 26;

struct CmapssUnit {
  int id = 0;
  std::vector<double> rows;  // [cycles, 26], as read
  int64_t cycles() const { return int64_t(rows.size()) / kCmapssColumns; }
};

// Parses C-MAPSS text. `name` is used in errors: Error(name, "line N: cause").
std::vector<CmapssUnit> parse_cmapss(const std::string& text, const std::string& name);
// Reads and parses a file (at most 1 GiB).
std::vector<CmapssUnit> read_cmapss(const std::string& path);

// The window ending at the unit's last cycle, scaled: out[window, n_features].
void last_window(const RulConfig& cfg, const CmapssUnit& unit, float* out);

}  // namespace sprout::rul
