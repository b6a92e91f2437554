#include "cli/environment.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <string>

namespace ocipack::cli {

std::optional<std::int64_t> source_date_epoch_from_env() {
  const char* value = std::getenv("SOURCE_DATE_EPOCH");
  if (value == nullptr || *value == '\0') return std::nullopt;
  static const std::regex re("[0-9]{1,12}");
  if (!std::regex_match(value, re)) {
    throw Error(std::string("SOURCE_DATE_EPOCH \"") + value + "\" is not a non-negative number of seconds");
  }
  return std::stoll(value);
}

unsigned threads_from_env() {
  const char* value = std::getenv("OCIPACK_THREADS");
  if (value == nullptr || *value == '\0') return 0;
  const std::string text(value);
  const bool digits =
      text.size() <= 4 && std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  const unsigned n = digits ? static_cast<unsigned>(std::stoul(text)) : 0;
  if (n == 0) throw Error("OCIPACK_THREADS must be a number from 1, not \"" + text + "\"");
  return n;
}

}  // namespace ocipack::cli
