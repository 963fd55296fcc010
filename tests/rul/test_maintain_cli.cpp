// `sprout maintain` end to end (the built binary): 100 units from the shipped
// model, RMSE on stderr with --truth, and one-line errors with the right exit code.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace {

struct CliRun {
  int code;
  std::string out, err;
};

CliRun sprout(const std::string& args) {
  const std::string dir = ::testing::TempDir();
  // Per-process names: ctest runs each test of this file as its own process, in parallel.
  const std::string tag = std::to_string(getpid());
  const std::string out = dir + "rul_cli_" + tag + ".out", err = dir + "rul_cli_" + tag + ".err";
  const std::string cmd = std::string(SPROUT_BINARY_DIR) + "/sprout " + args + " >" + out + " 2>" + err;
  const int st = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(out), slurp(err)};
}

const std::string kModel = sprout::test::repo_path("app/assets/rul_fd001");
const std::string kData = sprout::test::repo_path("tests/data/rul/test_FD001.txt");

TEST(MaintainCli, PrintsAllUnitsAndTheDocumentedRmse) {
  const CliRun r = sprout("maintain --model " + kModel + " --data " + kData + " --truth " +
                       sprout::test::repo_path("tests/data/rul/RUL_FD001.txt"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    int unit;
    double rul, truth;
    std::string health;
    ASSERT_TRUE(f >> unit >> rul >> health >> truth) << line;
    EXPECT_EQ(unit, ++n);
    EXPECT_TRUE(health == "healthy" || health == "degrading" || health == "critical") << health;
  }
  EXPECT_EQ(n, 100);
  std::ifstream gin(sprout::test::repo_path("tests/data/rul/golden_fd001.json"));
  const auto g = nlohmann::json::parse(gin);
  double rmse = 0;
  ASSERT_EQ(std::sscanf(r.err.c_str(), "rmse %lf", &rmse), 1) << r.err;
  EXPECT_NEAR(rmse, g["rmse"].get<double>(), 5e-4);
}

TEST(MaintainCli, JsonOutput) {
  const CliRun r = sprout("maintain --model " + kModel + " --data " + kData + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["units"].size(), 100u);
  EXPECT_EQ(j["units"][0]["unit"], 1);
  EXPECT_TRUE(j["units"][0]["rul"].is_number());
  EXPECT_EQ(j["units"][0]["logits"].size(), 3u);
}

TEST(MaintainCli, MalformedLineGivesOneLineErrorWithFileAndLine) {
  const std::string bad = ::testing::TempDir() + "rul_bad_" + std::to_string(getpid()) + ".txt";
  {
    std::ifstream in(kData);
    std::ofstream out(bad);
    std::string line;
    for (int i = 0; i < 4 && std::getline(in, line); ++i) out << line << "\n";
    out << "1 5 0.0012 0.0003 100.0 518.67\n";
  }
  const CliRun r = sprout("maintain --model " + kModel + " --data " + bad);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "sprout: error: " + bad + ": line 5: expected 26 columns, found 6\n");
}

TEST(MaintainCli, MissingFilesAndFlags) {
  CliRun r = sprout("maintain --model " + kModel + " --data /nonexistent/x.txt");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "sprout: error: /nonexistent/x.txt: cannot open\n");
  r = sprout("maintain --model /nonexistent/model --data " + kData);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("sprout: error: /nonexistent/model: ", 0), 0u) << r.err;
  r = sprout("maintain --data " + kData);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("sprout: error: --model", 0), 0u) << r.err;
}

}  // namespace
