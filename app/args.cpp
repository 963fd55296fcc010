#include "app/args.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "engine/error.h"

namespace sprout::app {

ArgParser::ArgParser(std::string command, std::string synopsis, std::string description)
    : command_(std::move(command)), synopsis_(std::move(synopsis)), description_(std::move(description)) {}

ArgParser& ArgParser::flag(const std::string& name, const std::string& help) {
  specs_.push_back({name, {"", help, "", true}});
  return *this;
}

ArgParser& ArgParser::option(const std::string& name, const std::string& metavar, const std::string& help,
                             const std::string& default_value) {
  specs_.push_back({name, {metavar, help, default_value, false}});
  return *this;
}

ArgParser& ArgParser::positional(const std::string& metavar, const std::string& help) {
  pos_specs_.push_back({metavar, help});
  return *this;
}

const ArgParser::Spec* ArgParser::find(const std::string& name) const {
  for (const auto& [n, s] : specs_)
    if (n == name) return &s;
  return nullptr;
}

bool ArgParser::parse(int argc, char** argv) {
  bool only_positional = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (!only_positional && (a == "--help" || a == "-h")) {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    if (!only_positional && a == "--") {
      only_positional = true;
      continue;
    }
    if (!only_positional && a.size() > 1 && a[0] == '-' && !(a.size() > 1 && (std::isdigit(uint8_t(a[1])) || a[1] == '.'))) {
      std::string name = a, value;
      bool inline_value = false;
      if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inline_value = true;
      }
      const Spec* s = find(name);
      if (!s) throw UsageError(name, "unknown flag for 'sprout " + command_ + "' (see --help)");
      if (s->is_flag) {
        if (inline_value) throw UsageError(name, "takes no value");
        given_[name] = "1";
      } else {
        if (!inline_value) {
          if (i + 1 >= argc) throw UsageError(name, "needs a value (" + s->metavar + ")");
          value = argv[++i];
        }
        given_[name] = value;
      }
      continue;
    }
    if (pos_.size() >= pos_specs_.size())
      throw UsageError(a, "unexpected argument for 'sprout " + command_ + "' (see --help)");
    pos_.push_back(a);
  }
  return true;
}

bool ArgParser::has(const std::string& name) const { return given_.count(name) > 0; }

std::string ArgParser::get(const std::string& name) const {
  if (auto it = given_.find(name); it != given_.end()) return it->second;
  const Spec* s = find(name);
  return s ? s->def : "";
}

std::string ArgParser::require(const std::string& name) const {
  if (!has(name)) throw UsageError(name, "required (see 'sprout " + command_ + " --help')");
  return get(name);
}

long long ArgParser::get_int(const std::string& name, long long lo, long long hi) const {
  const std::string v = get(name);
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno == ERANGE)
    throw UsageError(name, "expected an integer, got '" + v + "'");
  if (x < lo || x > hi)
    throw UsageError(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + v);
  return x;
}

double ArgParser::get_double(const std::string& name) const {
  const std::string v = get(name);
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno == ERANGE || x != x)
    throw UsageError(name, "expected a number, got '" + v + "'");
  return x;
}

std::string ArgParser::help() const {
  std::string h = "usage: sprout " + command_ + " " + synopsis_ + "\n";
  if (!description_.empty()) h += "\n" + description_ + "\n";
  if (!pos_specs_.empty() || !specs_.empty()) h += "\n";
  for (const auto& [m, help] : pos_specs_) {
    std::string left = "  " + m;
    if (left.size() < 26) left.resize(26, ' ');
    h += left + " " + help + "\n";
  }
  for (const auto& [n, s] : specs_) {
    std::string left = "  " + n + (s.is_flag ? "" : " " + s.metavar);
    if (left.size() < 26) left.resize(26, ' ');
    h += left + " " + s.help;
    if (!s.def.empty()) h += " (default " + s.def + ")";
    h += "\n";
  }
  h += "  --help                   show this help\n";
  return h;
}

}  // namespace sprout::app
