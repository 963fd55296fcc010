// Errors are values carrying the subject (a file, a flag, a tensor name) and
// the cause. They propagate by exception from wherever they arise and are
// reported exactly once, at the CLI edge, as
//     sprout: error: <subject>: <cause>
#pragma once
#include <stdexcept>
#include <string>

namespace sprout {

class Error : public std::runtime_error {
 public:
  Error(std::string subject, std::string cause)
      : std::runtime_error(subject + ": " + cause), subject_(std::move(subject)), cause_(std::move(cause)) {}
  const std::string& subject() const { return subject_; }
  const std::string& cause() const { return cause_; }

 private:
  std::string subject_, cause_;
};

// A usage error (bad or missing flag): the CLI exits 2 instead of 1.
class UsageError : public Error {
 public:
  using Error::Error;
};

[[noreturn]] inline void fail(const std::string& subject, const std::string& cause) {
  throw Error(subject, cause);
}

}  // namespace sprout
