// A small command-line parser for the sprout subcommands.
//
//   ArgParser p("generate", "--model MODEL (--prompt TEXT | --ids \"I I I\") [-n N] ...");
//   p.option("--model", "MODEL", "model directory, .gguf, .bin or registry name");
//   p.option("-n", "N", "tokens to generate", "64");
//   p.flag("--print-ids", "print only the generated ids");
//   if (!p.parse(argc, argv)) return 0;   // --help was printed
//   int n = p.get_int("-n");
//
// Unknown flags, missing values and malformed numbers throw UsageError
// (exit 2). Values may be given as "--flag VALUE" or "--flag=VALUE".
#pragma once
#include <map>
#include <string>
#include <vector>

namespace sprout::app {

class ArgParser {
 public:
  ArgParser(std::string command, std::string synopsis, std::string description = "");

  ArgParser& flag(const std::string& name, const std::string& help);
  ArgParser& option(const std::string& name, const std::string& metavar, const std::string& help,
                    const std::string& default_value = "");
  // Accept up to `max` positional arguments (named for --help).
  ArgParser& positional(const std::string& metavar, const std::string& help);

  // Returns false after printing --help. Throws UsageError on bad usage.
  bool parse(int argc, char** argv);

  bool has(const std::string& name) const;  // flag set, or option given (not just defaulted)
  std::string get(const std::string& name) const;  // option value or its default
  long long get_int(const std::string& name, long long lo, long long hi) const;
  double get_double(const std::string& name) const;
  // Throws UsageError "<name>: required" unless the option was given.
  std::string require(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return pos_; }
  std::string help() const;

 private:
  struct Spec { std::string metavar, help, def; bool is_flag; };
  std::string command_, synopsis_, description_;
  std::vector<std::pair<std::string, Spec>> specs_;
  std::vector<std::pair<std::string, std::string>> pos_specs_;
  std::map<std::string, std::string> given_;
  std::vector<std::string> pos_;
  const Spec* find(const std::string& name) const;
};

}  // namespace sprout::app
