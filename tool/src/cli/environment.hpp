// The environment variables ocipack reads: read here only, in cli, and
// passed down in the commands' options.
#pragma once

#include "registry/credentials.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::cli {

// SOURCE_DATE_EPOCH: the time stamp of the image and its files; nullopt
// when unset or empty. Throws Error if it is not a number of seconds.
std::optional<std::int64_t> source_date_epoch_from_env();

// OCIPACK_THREADS: the number of compression threads, 0 (the hardware's
// concurrency) when unset or empty. Throws Error unless it is a number from 1.
unsigned threads_from_env();

// OCIPACK_TIMINGS set (not empty, not 0): `build` prints its phases' times.
bool timings_from_env();

// OCIPACK_PUSH_TAGS: the references `ocipack push` pushes to when none are
// given (space-separated); nullopt when unset or empty.
std::optional<std::vector<std::string>> push_tags_from_env();

// Where the registry credentials are, as Docker and podman look: DOCKER_CONFIG
// (else ~/.docker), REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, HOME; PATH for the
// credential helpers.
registry::CredentialSources credential_sources_from_env();
// Where pulled blobs are kept: OCIPACK_CACHE_DIR, else $XDG_CACHE_HOME/ocipack,
// else ~/.cache/ocipack; empty when none of those is set.
std::filesystem::path cache_dir_from_env();

}  // namespace ocipack::cli
