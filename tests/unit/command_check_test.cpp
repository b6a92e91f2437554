#include "build/command_check.hpp"
#include "image_builder.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

layer::Entry entry(const std::string& path, layer::Entry::Type type, unsigned mode, const std::string& target = "") {
  layer::Entry e;
  e.path = path;
  e.type = type;
  e.mode = mode;
  e.text = target;
  return e;
}

class CommandCheckTest : public ::testing::Test {
protected:
  void SetUp() override {
    using Type = layer::Entry::Type;
    files.add({entry("usr", Type::Directory, 0755), entry("usr/bin", Type::Directory, 0755),
               entry("usr/bin/tool", Type::File, 0755), entry("usr/bin/data", Type::File, 0644),
               entry("usr/link", Type::Symlink, 0777, "bin/tool"), entry("opt/app", Type::File, 04755)});
  }
  std::string check(const oci::ContainerConfig& c) const {
    return error_of([&] { build::check_command(c, files); });
  }
  static oci::ContainerConfig cmd(std::vector<std::string> argv) {
    oci::ContainerConfig c;
    c.cmd = std::move(argv);
    c.env = {"PATH=/usr/local/bin:/usr/bin"};
    return c;
  }
  build::RootFs files;
};

}  // namespace

TEST_F(CommandCheckTest, FindsTheProgramAsTheRuntimeDoes) {
  EXPECT_EQ(check(cmd({"/usr/bin/tool"})), "");
  EXPECT_EQ(check(cmd({"tool", "--flag"})), "");  // through PATH
  EXPECT_EQ(check(cmd({"/usr/link"})), "");       // a symlink
  EXPECT_EQ(check(cmd({"/opt/app"})), "");        // setuid is still executable
  oci::ContainerConfig in_workdir = cmd({"./bin/tool"});
  in_workdir.working_dir = "/usr";
  EXPECT_EQ(check(in_workdir), "");
  oci::ContainerConfig entrypoint = cmd({"not-a-program"});  // CMD is ENTRYPOINT's arguments
  entrypoint.entrypoint = std::vector<std::string>{"/usr/bin/tool"};
  EXPECT_EQ(check(entrypoint), "");
  EXPECT_EQ(check(oci::ContainerConfig{}), "");  // no command: the user gives one
}

TEST_F(CommandCheckTest, NamesWhatIsWrong) {
  EXPECT_EQ(check(cmd({"/usr/bin/missing"})),
            "CMD program \"/usr/bin/missing\" is not in the image; add it with TARGETS or container_image_add_files()");
  oci::ContainerConfig entrypoint = cmd({});
  entrypoint.entrypoint = std::vector<std::string>{"nope"};
  EXPECT_EQ(check(entrypoint),
            "ENTRYPOINT program \"nope\" is not in the image (searched PATH=/usr/local/bin:/usr/bin); "
            "add it with TARGETS or container_image_add_files()");
  EXPECT_EQ(check(cmd({"/usr/bin/data"})),
            "CMD program \"/usr/bin/data\" (/usr/bin/data) is not an executable file in the image (mode 0644)");
  EXPECT_EQ(check(cmd({"/usr/bin"})),
            "CMD program \"/usr/bin\" (/usr/bin) is not an executable file in the image (a directory)");
  oci::ContainerConfig no_path = cmd({"tool"});
  no_path.env.clear();
  EXPECT_EQ(check(no_path),
            "CMD program \"tool\" is not in the image; add it with TARGETS or container_image_add_files()");
}
