// Files that never appear half-written (OutputFile) and the buffered
// writer under them (FdWriter).
#include "test_util.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <unistd.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

TEST(OutputFile, NothingAppearsUntilCommit) {
  TempDir dir;
  {
    util::OutputFile out(dir / "x");
    out.write("abc", 3);
    out.flush();
    EXPECT_FALSE(std::filesystem::exists(dir / "x"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // temp file removed too
  util::OutputFile out(dir / "x");
  out.write("abc", 3);
  out.commit();
  EXPECT_EQ(util::read_file(dir / "x"), "abc");
}

TEST(FdWriter, CopyFromAPipeGoesThroughABufferAndChecksTheLength) {
  TempDir dir;
  const std::string text(200000, 'p');
  auto copy = [&](std::size_t offered, std::uint64_t asked) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    std::thread feeder([&] {
      std::size_t done = 0;
      while (done < offered) {
        ssize_t n = ::write(fds[1], text.data() + done, offered - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      ::close(fds[1]);
    });
    util::OutputFile out(dir / "copy");
    out.write("head", 4);
    std::string error;
    try {
      out.copy_from(fds[0], asked, "the pipe");
      EXPECT_EQ(out.bytes_written(), 4 + asked);
      out.commit();
    } catch (const Error& e) {
      error = e.what();
    }
    ::close(fds[0]);
    feeder.join();
    return error;
  };
  EXPECT_EQ(copy(text.size(), text.size()), "");
  EXPECT_EQ(util::read_file(dir / "copy"), "head" + text);
  EXPECT_NE(copy(100, 1000).find("the pipe ended after 100 of its 1000 bytes"), std::string::npos);
}

TEST(FdWriter, WriteAtAndTruncateTo) {
  TempDir dir;
  util::OutputFile out(dir / "f");
  out.write("0123456789", 10);
  out.write_at(2, "ab", 2);
  out.truncate_to(6);
  EXPECT_EQ(out.bytes_written(), 6u);
  out.write("XY", 2);
  out.commit();
  EXPECT_EQ(util::read_file(dir / "f"), "01ab45XY");
}

TEST(ForEachLine, LinesAcrossPiecesEmptyLinesAndNoLastNewline) {
  TempDir dir;
  // A line crossing the 64 KiB read boundary, an empty line, no final '\n'.
  const std::string long_line(70000, 'x');
  write(dir / "list", "/\n" + long_line + "\n\n/usr/lib/a\n/usr/lib/b");
  std::vector<std::string> lines;
  util::for_each_line(dir / "list", [&](std::string_view line) { lines.emplace_back(line); });
  EXPECT_EQ(lines, (std::vector<std::string>{"/", long_line, "", "/usr/lib/a", "/usr/lib/b"}));
  // A final '\n' ends the last line; it does not begin another.
  write(dir / "list2", "a\nb\n");
  lines.clear();
  util::for_each_line(dir / "list2", [&](std::string_view line) { lines.emplace_back(line); });
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));
  expect_error_contains([&] { util::for_each_line(dir / "missing", [](std::string_view) {}); }, "missing");
}
