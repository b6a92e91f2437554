// The environment variables ocipack reads: read here only, in cli, and
// passed down in the commands' options.
#pragma once

#include <cstdint>
#include <optional>

namespace ocipack::cli {

// SOURCE_DATE_EPOCH: the time stamp of the image and its files; nullopt
// when unset or empty. Throws Error if it is not a number of seconds.
std::optional<std::int64_t> source_date_epoch_from_env();

// OCIPACK_THREADS: the number of compression threads, 0 (the hardware's
// concurrency) when unset or empty. Throws Error unless it is a number from 1.
unsigned threads_from_env();

}  // namespace ocipack::cli
