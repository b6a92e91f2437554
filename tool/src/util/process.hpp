// Running another program (STRIP's strip), without a shell: its arguments
// go to it as they are, and its output to ours.
#pragma once

#include <string>
#include <vector>

namespace ocipack::util {

// Runs argv[0] (an absolute path) with `argv` and waits for it; an Error
// naming the program and how it ended unless it exits with status 0.
void run_program(const std::vector<std::string>& argv);

}  // namespace ocipack::util
