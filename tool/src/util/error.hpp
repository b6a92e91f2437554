// The one error type of ocipack: thrown by any layer, given context on the
// way up, caught once in cli::run and printed as "ocipack: error: ...".
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace ocipack {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Runs f(); an Error escaping from it is rethrown as "<context>: <message>".
template <typename F>
auto with_context(const std::string& context, F&& f) -> decltype(f()) {
  try {
    return std::forward<F>(f)();
  } catch (const Error& e) {
    throw Error(context + ": " + e.what());
  }
}

// `value` fit for a message: control bytes (NUL, newline, ...) as \xNN.
std::string printable(const std::string& value);

// "message: strerror(errno)" for failed system calls.
[[noreturn]] void throw_errno(const std::string& message);

}  // namespace ocipack
