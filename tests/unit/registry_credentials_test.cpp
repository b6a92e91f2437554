// Registry credentials in Docker's order, from a fake config directory and
// a fake docker-credential-test helper on a search path of the test's own.
#include "registry/credentials.hpp"
#include "test_util.hpp"
#include "util/process.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::registry;
using namespace ocipack::testing;

namespace {

// A helper that answers for the server URL it reads on its standard input,
// and says "credentials not found" (exit 1) for any other.
const char* const kHelper = R"(#!/bin/sh
[ "$1" = get ] || exit 2
read -r url
case $url in
  helper.example) echo '{"ServerURL":"helper.example","Username":"helper-user","Secret":"helper-secret"}' ;;
  https://index.docker.io/v1/) echo '{"Username":"hub-user","Secret":"hub-secret"}' ;;
  token.example:5000) echo '{"Username":"<token>","Secret":"refresh-me"}' ;;
  broken.example) echo 'no JSON here' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
)";

class Credentials : public ::testing::Test {
protected:
  void SetUp() override {
    write(dir / "bin/docker-credential-test", kHelper, 0755);
    sources.docker_config = dir / "docker/config.json";
    sources.auth_files = {dir / "registry-auth.json", dir / "xdg/containers/auth.json"};
    sources.helper_path = (dir / "missing").string() + ":" + (dir / "bin").string();
  }
  void docker_config(const std::string& json) { write(dir / "docker/config.json", json); }

  TempDir dir;
  CredentialSources sources;
};

}  // namespace

TEST(AuthKeys, NormalizedAsDockerDoes) {
  EXPECT_EQ(normalize_auth_key("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalize_auth_key("index.docker.io"), "docker.io");
  EXPECT_EQ(normalize_auth_key("docker.io"), "docker.io");
  EXPECT_EQ(normalize_auth_key("http://registry.example:5000/v2/"), "registry.example:5000");
  EXPECT_EQ(normalize_auth_key("registry.example:5000"), "registry.example:5000");
  EXPECT_EQ(normalize_auth_key("https://registry.example"), "registry.example");
}

TEST_F(Credentials, AnonymousWhenNothingMatches) {
  EXPECT_TRUE(find_credential(sources, "registry.example").anonymous());
  docker_config(R"({"auths": {"other.example": {"auth": "dTpw"}}})");
  EXPECT_TRUE(find_credential(sources, "registry.example").anonymous());
}

TEST_F(Credentials, AuthsWithAuthOrIdentityToken) {
  // "user:pa:ss" and "tok-user:"
  docker_config(R"({"auths": {
    "https://index.docker.io/v1/": {"auth": "dXNlcjpwYTpzcw=="},
    "http://registry.example:5000/v2/": {"auth": "", "identitytoken": "id-token"}}})");
  const Credential hub = find_credential(sources, "docker.io");
  EXPECT_EQ(hub.username, "user");
  EXPECT_EQ(hub.password, "pa:ss");
  const Credential reg = find_credential(sources, "registry.example:5000");
  EXPECT_TRUE(reg.username.empty());
  EXPECT_EQ(reg.identity_token, "id-token");
}

TEST_F(Credentials, CredHelperBeforeCredsStoreBeforeAuths) {
  docker_config(R"({"credHelpers": {"helper.example": "test"}, "credsStore": "missing-store",
                    "auths": {"helper.example": {"auth": "dTpw"}}})");
  const Credential c = find_credential(sources, "helper.example");
  EXPECT_EQ(c.username, "helper-user");
  EXPECT_EQ(c.password, "helper-secret");
  // Another host goes to the credsStore, which is not on the path.
  expect_error_contains([&] { find_credential(sources, "other.example"); }, "docker-credential-missing-store");
}

TEST_F(Credentials, CredsStoreThenAuthsWhenTheStoreHasNone) {
  docker_config(R"({"credsStore": "test", "auths": {"plain.example": {"auth": "dTpw"}}})");
  EXPECT_EQ(find_credential(sources, "docker.io").username, "hub-user");  // asked for https://index.docker.io/v1/
  const Credential token = find_credential(sources, "token.example:5000");
  EXPECT_TRUE(token.username.empty());
  EXPECT_EQ(token.identity_token, "refresh-me");
  const Credential plain = find_credential(sources, "plain.example");  // "credentials not found": on to auths
  EXPECT_EQ(plain.username, "u");
  EXPECT_EQ(plain.password, "p");
}

TEST_F(Credentials, BrokenHelperOutputNamesTheHelperNotASecret) {
  docker_config(R"({"credHelpers": {"broken.example": "test"}})");
  expect_error_contains([&] { find_credential(sources, "broken.example"); }, "docker-credential-test get");
}

TEST_F(Credentials, PodmanAuthFilesAfterDocker) {
  docker_config(R"({"auths": {"docker.example": {"auth": "ZDpw"}}})");
  write(dir / "registry-auth.json", R"({"auths": {"podman.example": {"auth": "cjpw"}}})");
  write(dir / "xdg/containers/auth.json",
        R"({"auths": {"xdg.example": {"auth": "eDpw"}, "docker.example": {"auth": "eDpw"}}})");
  EXPECT_EQ(find_credential(sources, "docker.example").username, "d");
  EXPECT_EQ(find_credential(sources, "podman.example").username, "r");
  EXPECT_EQ(find_credential(sources, "xdg.example").username, "x");
}

TEST_F(Credentials, BadAuthValueDoesNotShowIt) {
  docker_config(R"({"auths": {"registry.example": {"auth": "bm9jb2xvbg=="}}})");  // "nocolon"
  try {
    find_credential(sources, "registry.example");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("bm9jb2xvbg"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("config.json"), std::string::npos) << e.what();
  }
}

TEST(Process, CapturedOutputAndExitStatus) {
  const util::ProgramOutput out =
      util::run_program_captured({"/bin/sh", "-c", "read -r x; echo got:$x; exit 3"}, "hi\n");
  EXPECT_EQ(out.out, "got:hi\n");
  EXPECT_EQ(out.exit_status, 3);
  EXPECT_FALSE(util::find_program("no-such-program-here", "/bin:/usr/bin").has_value());
  EXPECT_EQ(util::find_program("sh", ":/nonexistent:/bin"), std::filesystem::path("/bin/sh"));
}
