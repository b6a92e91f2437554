#include "cli/cli.hpp"

#include "build/build.hpp"
#include "build/index.hpp"
#include "cli/environment.hpp"
#include "cli/inspect.hpp"
#include "registry/cache.hpp"
#include "registry/pull.hpp"
#include "registry/push.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"
#include "version.hpp"

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include <clocale>
#include <malloc.h>
#include <filesystem>
#include <optional>
#include <system_error>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace ocipack::cli {

namespace {

const char* const kUsage =
    "ocipack " OCIPACK_VERSION
    " - reproducible OCI images from build outputs, no daemon\n"
    "\n"
    "Usage:\n"
    "  ocipack build --spec FILE --output FILE [--depfile FILE [--depfile-target NAME]] [--cache-dir DIR]\n"
    "  ocipack index --output FILE [--tag REF]... IMAGE.tar...\n"
    "  ocipack inspect [--json] IMAGE.tar\n"
    "  ocipack push [--insecure] [--cert-dir DIR] [--digest-file FILE] [--sbom FILE | --no-sbom]\n"
    "               IMAGE [REF...]\n"
    "  ocipack resolve [--insecure] [--cert-dir DIR] REF\n"
    "  ocipack cache [--prune [--unused-days N]]\n"
    "  ocipack --help | --version\n"
    "\n"
    "Commands:\n"
    "  build    pack the image described by a build spec (written by the CMake\n"
    "           function add_container_image()) into an image tarball\n"
    "  index    combine single-platform image tarballs into one multi-platform\n"
    "           image tarball (an OCI image index)\n"
    "  inspect  show the tags, platform, config and layers of an image tarball\n"
    "  push     push an image tarball (or OCI layout) to a registry, no daemon\n"
    "  resolve  print the digest a tag names in its registry, to pin a BASE\n"
    "  cache    show (or prune) the cache of images pulled from registries\n"
    "\n"
    "Run 'ocipack COMMAND --help' for the options of a command.\n"
    "SOURCE_DATE_EPOCH, when set, is the time stamp of the image and its files.\n";

// "12.3 KiB": the sizes in the build summary.
std::string human(std::uint64_t bytes) {
  char buffer[32];
  if (bytes < 10 * 1024) {
    std::snprintf(buffer, sizeof buffer, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 10 * 1024 * 1024) {
    std::snprintf(buffer, sizeof buffer, "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", bytes / 1048576.0);
  }
  return buffer;
}

// The build's notes, then, with a layer cache, one line on what it saved.
void print_report(const build::Report& r) {
  for (const auto& note : r.notes) std::cout << "ocipack: note: " << note << "\n";
  if (timings_from_env()) {
    for (const auto& phase : r.timings) {
      char figure[96];
      std::snprintf(figure, sizeof figure, "%.4f s (peak RSS so far %.1f MiB)", phase.seconds,
                    phase.peak_rss_kib / 1024.0);
      std::cerr << "ocipack: timing: " << phase.name << " " << figure << "\n";
    }
  }
  if (!r.cached) return;
  std::cout << "ocipack: " << r.output.filename().string() << ": " << r.layers << " layer(s) of ours, " << r.reused
            << " reused from the cache, " << r.layers - r.reused << " written, " << human(r.compressed_size)
            << " compressed"
            << (r.base_layers ? ", on " + std::to_string(*r.base_layers) + " base layer(s)" : std::string()) << "\n";
}

// cxxopts reads argv[0] as the program name; commands parse argv[1..].
// Every command takes -h/--help: then its help is printed and nullopt
// returned, for the command to end with status 0.
std::optional<cxxopts::ParseResult> parse(cxxopts::Options& options, int argc, char** argv) {
  options.add_options()("h,help", "show this help");
  try {
    cxxopts::ParseResult result = options.parse(argc, argv);
    if (result.count("help")) {
      std::cout << options.help();
      return std::nullopt;
    }
    return result;
  } catch (const cxxopts::exceptions::exception& e) {
    throw Error(std::string(e.what()) + " (see 'ocipack " + options.program().substr(8) + " --help')");
  }
}

// How to reach registries: certs.d, the credentials where Docker and
// podman keep them, warnings on standard error; `result` holds the options
// of add_registry_options(), or nothing (a build).
registry::Access access(const cxxopts::ParseResult* result) {
  registry::Access a;
  a.certs_d = {"/etc/docker/certs.d", "/etc/containers/certs.d"};
  if (result) {
    a.insecure = result->count("insecure") > 0;
    if (result->count("cert-dir")) {
      for (const auto& d : (*result)["cert-dir"].as<std::vector<std::string>>()) a.cert_dirs.emplace_back(d);
    }
  }
  a.credentials = credential_sources_from_env();
  a.warn = [](const std::string& w) { std::cerr << "ocipack: warning: " << w << "\n"; };
  return a;
}

void add_registry_options(cxxopts::Options& options) {
  options.add_options()("insecure", "allow plain HTTP and unverified certificates")(
      "cert-dir", "a directory of ca.crt (*.crt), client.cert and client.key for the registry",
      cxxopts::value<std::vector<std::string>>());
}

int build_command(int argc, char** argv) {
  const util::DigestWarmUp warm_up;  // meanwhile: the arguments, the spec, the plan
  cxxopts::Options options("ocipack build", "Pack an image tarball from a build spec.");
  options.add_options()("spec", "build spec (JSON written by add_container_image())", cxxopts::value<std::string>())(
      "output", "image tarball to write (atomically)", cxxopts::value<std::string>())(
      "depfile", "also write a Make-style depfile of every input read", cxxopts::value<std::string>())(
      "depfile-target",
      "the target the depfile names, as the build tool spells the output (Ninja: relative to its build directory); "
      "default: --output",
      cxxopts::value<std::string>())("cache-dir", "keep layer blobs here; unchanged layers are reused",
                                     cxxopts::value<std::string>());
  const std::optional<cxxopts::ParseResult> parsed = parse(options, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& result = *parsed;
  if (!result.unmatched().empty()) throw Error("unexpected argument \"" + result.unmatched()[0] + "\"");
  if (!result.count("spec")) throw Error("build: --spec is required");
  if (!result.count("output")) throw Error("build: --output is required");
  build::Options o;
  o.spec = result["spec"].as<std::string>();
  o.output = result["output"].as<std::string>();
  if (result.count("depfile")) o.depfile = result["depfile"].as<std::string>();
  if (result.count("depfile-target")) {
    if (!o.depfile) throw Error("build: --depfile-target needs --depfile");
    o.depfile_target = result["depfile-target"].as<std::string>();
  }
  if (result.count("cache-dir")) o.cache_dir = result["cache-dir"].as<std::string>();
  const std::optional<std::int64_t> epoch = source_date_epoch_from_env();
  o.source_date_epoch = epoch.value_or(0);
  o.source_date_epoch_given = epoch.has_value();
  o.threads = threads_from_env();
  o.pull.access = access(nullptr);
  o.pull.cache_dir = cache_dir_from_env();
  print_report(build::run(o));
  return 0;
}

int index_command(int argc, char** argv) {
  cxxopts::Options options("ocipack index", "Combine image tarballs of different platforms into one.");
  options.positional_help("IMAGE.tar...");
  options.add_options()("output", "multi-platform image tarball to write (atomically)", cxxopts::value<std::string>())(
      "tag", "name of the combined image (repeatable; default: the first image's names)",
      cxxopts::value<std::vector<std::string>>())("images", "image tarballs",
                                                  cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"images"});
  const std::optional<cxxopts::ParseResult> parsed = parse(options, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& result = *parsed;
  if (!result.count("output")) throw Error("index: --output is required");
  build::IndexOptions o;
  o.output = result["output"].as<std::string>();
  if (result.count("tag")) o.tags = result["tag"].as<std::vector<std::string>>();
  if (result.count("images")) {
    for (const auto& i : result["images"].as<std::vector<std::string>>()) o.inputs.emplace_back(i);
  }
  o.source_date_epoch = source_date_epoch_from_env().value_or(0);
  build::run_index(o);
  return 0;
}

int inspect_command(int argc, char** argv) {
  cxxopts::Options options("ocipack inspect", "Show what an image tarball holds.");
  options.positional_help("IMAGE.tar");
  options.add_options()("json", "print JSON instead of text")("image", "image tarball", cxxopts::value<std::string>());
  options.parse_positional({"image"});
  const std::optional<cxxopts::ParseResult> parsed = parse(options, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& result = *parsed;
  if (!result.count("image")) throw Error("inspect: an image tarball is required");
  inspect(result["image"].as<std::string>(), result.count("json") > 0, std::cout);
  return 0;
}

int push_command(int argc, char** argv) {
  cxxopts::Options options("ocipack push",
                           "Push an image to registry references: the REFs, replaced by "
                           "$OCIPACK_PUSH_TAGS when it is set; without either, the image's own tags.");
  options.positional_help("IMAGE [REF...]");
  add_registry_options(options);
  options.add_options()("digest-file", "write the pushed references and digests here (JSON, atomically)",
                        cxxopts::value<std::string>())(
      "sbom", "attach this SBOM (repeatable; default: those the build wrote beside the image)",
      cxxopts::value<std::vector<std::string>>())("no-sbom", "attach no SBOM")(
      "args", "image and references", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  const std::optional<cxxopts::ParseResult> parsed = parse(options, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& result = *parsed;
  std::vector<std::string> args;
  if (result.count("args")) args = result["args"].as<std::vector<std::string>>();
  if (args.empty()) throw Error("push: an image tarball is required");
  registry::PushOptions o;
  o.image = args[0];
  o.references.assign(args.begin() + 1, args.end());
  // The environment wins: a CI job picks the tag of a -push target (whose
  // command names the TAGS) when it runs, without configuring again.
  if (std::optional<std::vector<std::string>> from_env = push_tags_from_env()) o.references = *from_env;
  o.access = access(&result);
  if (result.count("sbom") && result.count("no-sbom")) throw Error("push: --sbom and --no-sbom exclude each other");
  o.attach_sboms = result.count("no-sbom") == 0;
  if (result.count("sbom")) {
    for (const auto& f : result["sbom"].as<std::vector<std::string>>()) o.sboms.emplace_back(f);
  }
  std::optional<std::filesystem::path> digest_file;
  if (result.count("digest-file")) {
    // Its directory made before anything is sent: a push is not undone
    // when its record cannot be written.
    digest_file = result["digest-file"].as<std::string>();
    std::error_code ec;
    if (digest_file->has_parent_path()) std::filesystem::create_directories(digest_file->parent_path(), ec);
    if (ec) throw Error("--digest-file " + digest_file->string() + ": cannot create its directory: " + ec.message());
  }
  const std::vector<registry::PushReport> reports = registry::push(o);
  nlohmann::json pushed = nlohmann::json::array();
  for (const auto& r : reports) {
    std::cout << r.reference << "@" << r.digest.str() << ": " << r.uploaded << " blob(s) uploaded, " << r.present
              << " already there, " << r.mounted << " mounted, " << r.bytes << " bytes\n";
    nlohmann::json sboms = nlohmann::json::array();
    for (const auto& a : r.sboms) {
      std::cout << r.reference << "@" << a.subject.str() << ": SBOM " << a.file.filename().string()
                << (a.present ? " attached already as " : " attached as ") << a.artifact.str() << "\n";
      sboms.push_back({{"file", a.file.string()}, {"subject", a.subject.str()}, {"artifact", a.artifact.str()}});
    }
    pushed.push_back({{"reference", r.reference}, {"digest", r.digest.str()}});
    if (!sboms.empty()) pushed.back()["sboms"] = sboms;
  }
  if (digest_file) util::write_file_atomically(*digest_file, pushed.dump(2) + "\n");
  return 0;
}

int resolve_command(int argc, char** argv) {
  cxxopts::Options options("ocipack resolve",
                           "Print REF@sha256:...: the digest a tag names now (of the index, for a "
                           "multi-platform image), to pin a BASE with.");
  options.positional_help("REF");
  add_registry_options(options);
  options.add_options()("ref", "[docker://]host/repository[:tag]", cxxopts::value<std::string>());
  options.parse_positional({"ref"});
  const std::optional<cxxopts::ParseResult> parsed = parse(options, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& result = *parsed;
  if (!result.count("ref")) throw Error("resolve: a reference is required");
  std::string text = result["ref"].as<std::string>();
  registry::PullOptions o;
  o.access = access(&result);
  const oci::Digest digest = registry::resolve(registry::resolve_reference(text), o);
  std::cout << text.substr(0, text.find('@')) << "@" << digest.str() << "\n";
  return 0;
}

int cache_command(int argc, char** argv) {
  cxxopts::Options options("ocipack cache",
                           "Show the cache of what builds pulled from registries (OCIPACK_CACHE_DIR, else "
                           "$XDG_CACHE_HOME/ocipack, else ~/.cache/ocipack), or prune it.");
  options.add_options()("prune", "remove the blobs (all, or those unused for --unused-days days)")(
      "unused-days", "with --prune: keep what a build used in the last N days", cxxopts::value<unsigned>());
  const std::optional<cxxopts::ParseResult> parsed = parse(options, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& result = *parsed;
  if (!result.unmatched().empty()) throw Error("unexpected argument \"" + result.unmatched()[0] + "\"");
  if (result.count("unused-days") && !result.count("prune")) throw Error("cache: --unused-days goes with --prune");
  const std::filesystem::path dir = cache_dir_from_env();
  if (dir.empty()) throw Error("cache: no cache directory: set OCIPACK_CACHE_DIR (or XDG_CACHE_HOME or HOME)");
  const registry::BlobCache cache(dir);
  if (result.count("prune")) {
    const registry::CacheUsage removed =
        cache.prune(result.count("unused-days") ? result["unused-days"].as<unsigned>() : 0);
    std::cout << "ocipack: removed " << removed.blobs << " blob(s), " << human(removed.bytes) << "\n";
  }
  const registry::CacheUsage u = cache.usage();
  std::cout << cache.dir().string() << ": " << u.blobs << " blob(s), " << human(u.bytes) << "\n";
  return 0;
}

}  // namespace

int run(int argc, char** argv) {
#ifdef __GLIBC__
  // Blocks of 128 KiB and more (a layer's entry list, the compressor's
  // chunks) mapped on their own and given back when freed. glibc moves that
  // bound up to the largest block freed otherwise, and a 16 MiB list freed
  // once leaves every later large block in the heap for good: 2 of 67 MiB
  // of peak at 100,000 files.
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
  // File names are written as UTF-8 whatever the user's locale: the same
  // bytes for everyone (a name that is not UTF-8 is kept as its bytes).
  if (std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) std::setlocale(LC_CTYPE, "C");
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << kUsage;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version" || args[0] == "-V") {
      std::cout << "ocipack " OCIPACK_VERSION "\n";
      return 0;
    }
    // Commands see "ocipack <command>" as their program name.
    if (args[0] == "build") return build_command(argc - 1, argv + 1);
    if (args[0] == "inspect") return inspect_command(argc - 1, argv + 1);
    if (args[0] == "index") return index_command(argc - 1, argv + 1);
    if (args[0] == "push") return push_command(argc - 1, argv + 1);
    if (args[0] == "resolve") return resolve_command(argc - 1, argv + 1);
    if (args[0] == "cache") return cache_command(argc - 1, argv + 1);
    throw Error("unknown command \"" + args[0] + "\" (see 'ocipack --help')");
  } catch (const Error& e) {
    std::cerr << "ocipack: error: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "ocipack: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    // A library exception that escaped its wrapper is still reported, not a crash.
    std::cerr << "ocipack: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ocipack::cli
