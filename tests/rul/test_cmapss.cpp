// C-MAPSS parsing and windowing: malformed input names the line; windows of
// short units repeat the first row, as tools/rul/rul_model.py does.
#include <gtest/gtest.h>

#include "engine/error.h"
#include "models/rul/cmapss.h"
#include "models/rul/config.h"
#include "tests/test_util.h"

namespace sprout::rul {
namespace {

std::string row(int unit, int cycle, double base = 1.0) {
  std::string s = std::to_string(unit) + " " + std::to_string(cycle);
  for (int i = 0; i < 24; ++i) s += " " + std::to_string(base + i);
  return s + "  \n";  // trailing spaces as in the NASA files
}

std::string error_of(const std::string& text) {
  try {
    parse_cmapss(text, "f.txt");
  } catch (const Error& e) {
    EXPECT_EQ(e.subject(), "f.txt");
    return e.cause();
  }
  return "no error";
}

TEST(Cmapss, ParsesRealFile) {
  const auto units = read_cmapss(test::repo_path("tests/data/rul/test_FD001.txt"));
  ASSERT_EQ(units.size(), 100u);
  EXPECT_EQ(units[0].id, 1);
  EXPECT_EQ(units[0].cycles(), 31);
  EXPECT_EQ(units[99].id, 100);
  int64_t rows = 0;
  for (const auto& u : units) rows += u.cycles();
  EXPECT_EQ(rows, 13096);
  EXPECT_DOUBLE_EQ(units[0].rows[2], 0.0023);  // setting1 of the first row
}

TEST(Cmapss, MalformedLinesNameTheLine) {
  const std::string good = row(1, 1) + row(1, 2);
  EXPECT_EQ(error_of(good + "1 3 0.5\n"), "line 3: expected 26 columns, found 3");
  std::string bad = row(1, 3);
  bad.replace(bad.find(" 3.000000"), 9, " x.5");
  EXPECT_EQ(error_of(good + bad), "line 3: column 5: 'x.5' is not a number");
  EXPECT_EQ(error_of(good + row(1, 3) + row(1, 4).substr(0, 3) + row(1, 4)),
            "line 4: more than 26 columns");
  EXPECT_EQ(error_of(row(1, 1) + row(2, 1) + row(1, 2)), "line 3: rows of unit 1 are not consecutive");
  EXPECT_EQ(error_of(row(0, 1)), "line 1: unit id must be a positive integer");
  EXPECT_EQ(error_of("\n  \n"), "no data rows");
  std::string inf = row(1, 1);
  inf.replace(inf.find(" 2.000000"), 9, " inf");
  EXPECT_EQ(error_of(inf), "line 1: column 4: value is not finite");
  EXPECT_EQ(error_of(good + "\n" + row(1, 3)), "no error");  // blank lines are skipped
}

TEST(Cmapss, ShortUnitsRepeatTheirFirstRow) {
  RulConfig cfg;
  cfg.window = 4;
  cfg.features = {"setting1", "s1"};
  cfg.feature_columns = {2, 5};
  cfg.scale_min = {1.0, 0.0};
  cfg.scale_max = {3.0, 0.0};  // zero range scales to 0
  const auto units = parse_cmapss(row(7, 1, 1.0) + row(7, 2, 2.0), "f.txt");
  float w[8];
  last_window(cfg, units[0], w);
  const float want[8] = {0, 0, 0, 0, 0, 0, 0.5f, 0};  // rows: first, first, first, second
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(w[i], want[i]) << i;
}

}  // namespace
}  // namespace sprout::rul
