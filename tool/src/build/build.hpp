// `ocipack build`: spec in, image tarball out.
#pragma once

#include "registry/pull.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::build {

// What to build, from the command line and the environment (read by cli).
struct Options {
  std::filesystem::path spec;
  std::filesystem::path output;
  std::optional<std::filesystem::path> depfile;
  // What the depfile names as its target, when not `output`: Ninja reads a
  // depfile only when it names the output as build.ninja does (relative to
  // the build directory), which spares CMake a transforming step per build.
  std::string depfile_target;
  std::optional<std::filesystem::path> cache_dir;  // per-layer blobs kept between builds
  std::int64_t source_date_epoch = 0;              // SOURCE_DATE_EPOCH, or 0
  bool source_date_epoch_given = false;            // it was set: it wins over the spec's `created`
  unsigned threads = 0;                            // OCIPACK_THREADS; 0: the hardware's concurrency
  registry::PullOptions pull;                      // a BASE from a registry: how to reach it, where the cache is
};

// What a build did, for cli to tell.
struct Report {
  std::filesystem::path output;            // the image tarball written
  bool cached = false;                     // a layer cache was used (--cache-dir)
  std::size_t layers = 0;                  // ocipack's own layers
  std::size_t reused = 0;                  // of those, taken from the cache
  std::uint64_t compressed_size = 0;       // the blobs of ocipack's layers, in bytes
  std::optional<std::size_t> base_layers;  // the base's layers, when there is a base
  std::vector<std::string> notes;          // what the user should know, for cli/ to print
  // Where the time went, phase by phase, in order; cli/ prints them when
  // OCIPACK_TIMINGS is set.
  struct Phase {
    std::string name;
    double seconds = 0;
    long peak_rss_kib = 0;  // the process's peak resident memory at its end
  };
  std::vector<Phase> timings;
};

Report run(const Options& options);

}  // namespace ocipack::build
