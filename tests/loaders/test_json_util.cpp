#include <gtest/gtest.h>

#include "loaders/json_util.h"
#include "tests/loaders/loader_test_util.h"

namespace sprout {
namespace {
using test::expect_error;

TEST(JsonUtil, DepthIgnoresBracketsInStrings) {
  EXPECT_EQ(json_depth(R"({"a": [1, {"b": "[[[{{{"}]})", 100), 3);
  EXPECT_EQ(json_depth(R"(["\"[[[", [[]]])", 100), 3);
  EXPECT_EQ(json_depth("1", 100), 0);
}

TEST(JsonUtil, RejectsDeepNestingBeforeParsing) {
  // 10,000 levels would overflow nlohmann's recursive parser's stack.
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  expect_error([&] { parse_json(deep, "deep.json"); }, "deep.json: JSON nested deeper than 512 levels");
  const std::string ok = std::string(512, '[') + std::string(512, ']');
  EXPECT_TRUE(parse_json(ok, "ok.json").is_array());
}

TEST(JsonUtil, ParseErrorsNameTheFile) {
  expect_error([] { parse_json("{\"a\": }", "c.json"); },
               "c.json: invalid JSON: parse error at line 1, column 7: syntax error while parsing value - "
               "unexpected '}'; expected '[', '{', or a literal");
  expect_error([] { parse_json("{\"a\": \"\xff\"}", "u.json"); },
               "u.json: invalid JSON: parse error at line 1, column 8: syntax error while parsing value - "
               "invalid string: ill-formed UTF-8 byte");
}

TEST(JsonUtil, DuplicateKeysRejectedOnRequest) {
  EXPECT_NO_THROW(parse_json(R"({"a": 1, "a": 2})", "d.json"));
  expect_error([] { parse_json(R"({"x": {"a": 1, "b": 2}, "y": {"a": 1, "a": 2}})", "d.json", 512, true); },
               "d.json: duplicate key 'a'");
  EXPECT_NO_THROW(parse_json(R"({"x": {"a": 1}, "y": {"a": 1}})", "d.json", 512, true));
}

TEST(JsonUtil, TypedGetters) {
  const Json j = parse_json(R"({"n": 12, "f": 1e-6, "big": 1e6, "s": "gelu", "b": true, "neg": -3, "nul": null,
                                "frac": 2.5})",
                            "config.json");
  EXPECT_EQ(req<int>(j, "n", "config.json"), 12);
  EXPECT_FLOAT_EQ(req<float>(j, "f", "config.json"), 1e-6f);
  EXPECT_EQ(req<int64_t>(j, "big", "config.json"), 1000000);  // integral float accepted
  EXPECT_EQ(req<std::string>(j, "s", "config.json"), "gelu");
  EXPECT_TRUE(req<bool>(j, "b", "config.json"));
  EXPECT_EQ(opt<int>(j, "absent", 7, "config.json"), 7);
  EXPECT_EQ(opt<int>(j, "nul", 7, "config.json"), 7);
  expect_error([&] { req<int>(j, "hidden_size", "config.json"); }, "config.json: missing key 'hidden_size'");
  expect_error([&] { req<int>(j, "s", "config.json"); }, "config.json: key 's': expected integer, got string");
  expect_error([&] { req<int>(j, "frac", "config.json"); }, "config.json: key 'frac': expected integer, got number");
  expect_error([&] { req<uint32_t>(j, "neg", "config.json"); }, "config.json: key 'neg': value out of range");
  expect_error([&] { req<std::string>(j, "n", "config.json"); }, "config.json: key 'n': expected string, got integer");
  expect_error([&] { req<bool>(j, "nul", "config.json"); }, "config.json: key 'nul': expected boolean, got null");
  expect_error([&] { opt<int>(j, "s", 1, "config.json"); }, "config.json: key 's': expected integer, got string");
}

TEST(JsonUtil, LoadJsonFileErrors) {
  test::TempDir dir;
  expect_error([&] { load_json(dir.file("missing.json")); }, dir.file("missing.json") + ": no such file");
  expect_error([&] { load_json(dir.path()); }, dir.path() + ": is a directory");
  test::write_text(dir.file("big.json"), std::string(100, ' ') + "{}");
  expect_error([&] { load_json(dir.file("big.json"), 50); },
               dir.file("big.json") + ": file too large (102 bytes, limit 50)");
  EXPECT_TRUE(load_json(dir.file("big.json")).is_object());
  test::write_text(dir.file("empty.json"), "");
  expect_error([&] { load_json(dir.file("empty.json")); },
               dir.file("empty.json") + ": invalid JSON: parse error at line 1, column 1: syntax error while parsing "
                                        "value - unexpected end of input; expected '[', '{', or a literal");
}

}  // namespace
}  // namespace sprout
