// Running another program (STRIP's strip, a docker-credential-<name>
// helper), without a shell: its arguments go to it as they are.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::util {

// Runs argv[0] (an absolute path) with `argv` and waits for it, its output
// going to ours; an Error naming the program and how it ended unless it
// exits with status 0.
void run_program(const std::vector<std::string>& argv);

// What a program wrote, and how it ended.
struct ProgramOutput {
  int exit_status = 0;  // -1 when killed by a signal
  std::string out;      // its standard output, at most 1 MiB
};

// Runs argv[0] (an absolute path) with `input` on its standard input and
// its standard output captured (its standard error goes to ours); an Error
// only when it cannot be run.
ProgramOutput run_program_captured(const std::vector<std::string>& argv, const std::string& input);

// The first executable file `name` in the directories of `search_path`
// (PATH's form: ':'-separated), or nullopt.
std::optional<std::filesystem::path> find_program(const std::string& name, const std::string& search_path);

}  // namespace ocipack::util
