#include "spec/spec.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

using namespace ocipack;

namespace {
std::string with(const std::string& config, const std::string& extra = "") {
  return R"({"version":1,"image":"x","tags":["x:latest"],"config":)" + config + extra +
         R"(,"layers":[{"created_by":"t","files":[{"source":"/bin/true","destination":"/usr//bin/","elf":true}]}]})";
}

std::string error_of(const std::string& text) {
  try {
    spec::parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Spec, ParsesAndNormalises) {
  spec::BuildSpec s = spec::parse(with(
      R"({"cmd":["/true"],"env":["A=1","B=x=y","A=2"],"exposed_ports":["80","53/udp","80/tcp"],"labels":["k=v"],"workdir":"/srv/","user":"app:app"})",
      R"(,"annotations":["a=b"],"compression":"none")"));
  EXPECT_EQ(s.tags[0].full(), "docker.io/library/x:latest");
  EXPECT_EQ(s.compression.method, layer::Compression::None);
  EXPECT_EQ(s.compression.level, 0);
  EXPECT_EQ(s.config.env, (std::vector<std::string>{"A=2", "B=x=y"}));  // PATH comes with the base merge
  EXPECT_EQ(s.config.exposed_ports, (std::vector<std::string>{"80/tcp", "53/udp"}));
  EXPECT_EQ(s.config.working_dir, "/srv");
  EXPECT_EQ(s.config.labels.at("k"), "v");
  EXPECT_EQ(s.annotations.at("a"), "b");
  ASSERT_EQ(s.layers.size(), 1u);
  EXPECT_EQ(s.layers[0].files[0].destination, "/usr/bin");
  EXPECT_TRUE(s.layers[0].files[0].elf);
  EXPECT_FALSE(s.config.entrypoint.has_value());
}

TEST(Spec, CompressionLevel) {
  EXPECT_EQ(spec::parse(with("{}")).compression.level, 0);  // the method's default
  spec::BuildSpec s = spec::parse(with("{}", R"(,"compression":"gzip","compression_level":9)"));
  EXPECT_EQ(s.compression.method, layer::Compression::Gzip);
  EXPECT_EQ(s.compression.level, 9);
  EXPECT_EQ(spec::parse(with("{}", R"(,"compression_level":1)")).compression.level, 1);
  EXPECT_EQ(spec::parse(with("{}", R"(,"compression_level":12)")).compression.level, 12);
  for (const char* bad : {"0", "13", "-1", "\"5\"", "5.5"}) {
    std::string e = error_of(with("{}", std::string(R"(,"compression_level":)") + bad));
    EXPECT_NE(e.find(std::string("compression_level ") + bad + " is not a gzip level from 1"), std::string::npos)
        << bad << ": " << e;
  }
  EXPECT_NE(error_of(with("{}", R"(,"compression":"none","compression_level":3)")).find("compression is none"),
            std::string::npos);
  // zstd: its own range, 1 to 19.
  s = spec::parse(with("{}", R"(,"compression":"zstd","compression_level":19)"));
  EXPECT_EQ(s.compression.method, layer::Compression::Zstd);
  EXPECT_EQ(s.compression.level, 19);
  EXPECT_EQ(spec::parse(with("{}", R"(,"compression":"zstd")")).compression.level, 0);
  EXPECT_NE(error_of(with("{}", R"(,"compression":"zstd","compression_level":20)")).find("is not a zstd level from 1"),
            std::string::npos);
  EXPECT_NE(error_of(with("{}", R"(,"compression_level":13)")).find("is not a gzip level from 1 (fastest) to 12"),
            std::string::npos);
}

TEST(Spec, PathFromEnvReplacesTheDefault) {
  spec::BuildSpec s = spec::parse(with(R"({"env":["PATH=/app"]})"));
  oci::add_default_path(s.config.env);
  EXPECT_EQ(s.config.env, (std::vector<std::string>{"PATH=/app"}));
  std::vector<std::string> none;
  oci::add_default_path(none);
  EXPECT_EQ(none, std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"});
}

TEST(Spec, ModesOwnersAndPortsAreCheckedCharacterByCharacter) {
  const auto file_with = [](const std::string& field) {
    return R"({"version":1,"image":"x","tags":["x"],"layers":[{"files":[{"source":"/a","destination":"/",)" + field +
           "}]}]}";
  };
  const spec::BuildSpec s = spec::parse(file_with(R"("mode":"4755","owner":"1000:2000")"));
  EXPECT_EQ(s.layers.at(0).files.at(0).mode, 04755u);
  EXPECT_EQ(s.layers.at(0).files.at(0).owner->uid, 1000u);
  EXPECT_EQ(s.layers.at(0).files.at(0).owner->gid, 2000u);
  const spec::BuildSpec one = spec::parse(file_with(R"("owner":"7")"));  // the gid is the uid
  EXPECT_EQ(one.layers.at(0).files.at(0).owner->gid, 7u);
  for (const char* bad : {"1000:", ":1", "1:2:3", "4294967295", "1:4294967295", "12345678901", "-1", " 1"}) {
    EXPECT_NE(error_of(file_with(std::string(R"("owner":")") + bad + "\"")).find("is not <uid>[:<gid>]"),
              std::string::npos)
        << bad;
  }
  for (const char* bad : {"08", "12345", "64a", "075 "}) {
    EXPECT_NE(error_of(file_with(std::string(R"("mode":")") + bad + "\"")).find("is not an octal mode"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(spec::parse(with(R"({"exposed_ports":["65535/sctp","1/udp"]})")).config.exposed_ports,
            (std::vector<std::string>{"65535/sctp", "1/udp"}));
  for (const char* bad : {"0/tcp", "65536/tcp", "/tcp", "80/tcp/x", "80/TCP", "123456/tcp", "8o/tcp"}) {
    EXPECT_NE(error_of(with(std::string(R"({"exposed_ports":[")") + bad + "\"]}")).find("is not <1-65535>"),
              std::string::npos)
        << bad;
  }
}

TEST(Spec, ErrorsNameTheValue) {
  EXPECT_NE(error_of("{\"version\":1,").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("[]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"version":2})").find("unsupported spec version 2"), std::string::npos);
  EXPECT_NE(error_of(with(R"({"env":["NOPE"]})")).find("\"NOPE\""), std::string::npos);
  EXPECT_NE(error_of(with(R"({"env":["=x"]})")).find("\"=x\""), std::string::npos);
  EXPECT_NE(error_of(with(R"({"exposed_ports":["70000"]})")).find("\"70000/tcp\""), std::string::npos);
  EXPECT_NE(error_of(with(R"({"exposed_ports":["80/xyz"]})")).find("\"80/xyz\""), std::string::npos);
  EXPECT_NE(error_of(with(R"({"user":"a b"})")).find("\"a b\""), std::string::npos);
  EXPECT_NE(error_of(with(R"({"workdir":"srv"})")).find("\"srv\""), std::string::npos);
  EXPECT_NE(error_of(with(R"({"labels":["k=1","k=2"]})")).find("\"k\" is given twice"), std::string::npos);
  EXPECT_NE(error_of(with("{}", R"(,"compression":"xz")")).find("\"xz\" is not one of gzip, zstd, none"),
            std::string::npos);
  std::string bad_tag = R"({"version":1,"image":"x","tags":["Upper:1"],"layers":[]})";
  EXPECT_NE(error_of(bad_tag).find("\"Upper:1\""), std::string::npos);
  std::string bad_dest =
      R"({"version":1,"image":"x","tags":["x"],"layers":[{"files":[{"source":"/a","destination":"/a/../b"}]}]})";
  EXPECT_NE(error_of(bad_dest).find("\"/a/../b\""), std::string::npos);
  EXPECT_NE(error_of(bad_dest).find("layer 1"), std::string::npos);
  std::string bad_mode =
      R"({"version":1,"image":"x","tags":["x"],"layers":[{"files":[{"source":"/a","destination":"/","mode":"999"}]}]})";
  EXPECT_NE(error_of(bad_mode).find("\"999\""), std::string::npos);
  std::string relative =
      R"({"version":1,"image":"x","tags":["x"],"layers":[{"files":[{"source":"a","destination":"/"}]}]})";
  EXPECT_NE(error_of(relative).find("\"a\" is not an absolute path"), std::string::npos);
}

TEST(Spec, BuildDir) {
  auto runtime = [](const std::string& members) {
    return with("{}", R"(,"runtime_dependencies":{"mode":"auto")" + members + "}");
  };
  EXPECT_EQ(spec::parse(runtime("")).runtime.build_dir, "");  // optional: version 1 specs without it
  EXPECT_EQ(spec::parse(runtime(R"(,"build_dir":"/src/build")")).runtime.build_dir, "/src/build");
  EXPECT_NE(error_of(runtime(R"(,"build_dir":"build")")).find("build_dir \"build\" is not an absolute path"),
            std::string::npos);
  EXPECT_NE(error_of(runtime(R"(,"build_dir":"")")).find("build_dir \"\" is not an absolute path"), std::string::npos);
  EXPECT_NE(error_of(runtime(R"(,"build_dir":7)")).find("build_dir"), std::string::npos);
}

TEST(Spec, NormalizeImageDir) {
  EXPECT_EQ(spec::normalize_image_dir("/", "d"), "/");
  EXPECT_EQ(spec::normalize_image_dir("//a///b/", "d"), "/a/b");
  EXPECT_THROW(spec::normalize_image_dir("/a/./b", "d"), Error);
  EXPECT_THROW(spec::normalize_image_dir("", "d"), Error);
  EXPECT_THROW(spec::normalize_image_dir(std::string("/a\0b", 4), "d"), Error);
}

TEST(Spec, UserAndStopSignalOfAnyLength) {
  // These were std::regex matches, which recursed once per character and
  // overflowed the stack on long values (found by tests/fuzz/spec_fuzzer).
  const std::string long_name(1 << 20, 'A');
  EXPECT_EQ(spec::parse(with(R"({"user":")" + long_name + R"("})")).config.user, long_name);
  EXPECT_EQ(spec::parse(with(R"({"user":")" + long_name + ":" + long_name + R"("})")).config.user.size(),
            2 * long_name.size() + 1);
  EXPECT_EQ(spec::parse(with(R"({"stop_signal":"SIG)" + long_name + R"("})")).config.stop_signal.size(),
            long_name.size() + 3);
  EXPECT_NE(error_of(with(R"({"user":")" + long_name + R"( "})")).find("is not <user>[:<group>]"), std::string::npos);
  EXPECT_NE(error_of(with(R"({"stop_signal":")" + long_name + R"(a"})")).find("is not a signal name"),
            std::string::npos);
}

TEST(Spec, UserAndStopSignalForms) {
  for (const char* good : {"app", "1000", "1000:1000", "app:staff", "nonroot"}) {
    EXPECT_EQ(spec::parse(with(std::string(R"({"user":")") + good + R"("})")).config.user, good);
  }
  for (const char* bad : {"", ":", "a:", ":b", "a:b:c", "a b", "a\\tb", "a:b c"}) {
    EXPECT_NE(error_of(with(std::string(R"({"user":")") + bad + R"("})")).find("is not <user>[:<group>]"),
              std::string::npos)
        << bad;
  }
  for (const char* good : {"SIGTERM", "SIGRTMIN+3", "SIGRTMAX-1", "TERM", "KILL", "9", "1", "64"}) {
    EXPECT_EQ(spec::parse(with(std::string(R"({"stop_signal":")") + good + R"("})")).config.stop_signal, good);
  }
  for (const char* bad : {"", "0", "09", "100", "sigterm", "SIG TERM", "-9", "+", "9a"}) {
    EXPECT_NE(error_of(with(std::string(R"({"stop_signal":")") + bad + R"("})")).find("is not a signal name"),
              std::string::npos)
        << bad;
  }
}

TEST(Spec, UsersRenameLibraryFilesAndTheDlopenNote) {
  const std::string text =
      R"({"version":1,"image":"x","tags":["x:latest"],"config":{},"dlopen_note":false,)"
      R"("users":[{"name":"app"},{"name":"svc","uid":4242,"gid":50,"group":"staff","home":"/var//lib/svc/","shell":"/bin/sh"}],)"
      R"("runtime_dependencies":{"mode":"auto","libraries":[],"library_files":["/b/libp.so"]},)"
      R"("layers":[{"created_by":"t","files":[{"source":"/etc/hostname","destination":"/etc","name":"host"}]}]})";
  spec::BuildSpec s = spec::parse(text);
  EXPECT_FALSE(s.dlopen_note);
  ASSERT_EQ(s.users.size(), 2u);
  EXPECT_EQ(s.users[0].name, "app");
  EXPECT_FALSE(s.users[0].uid.has_value());
  EXPECT_EQ(*s.users[1].uid, 4242u);
  EXPECT_EQ(*s.users[1].gid, 50u);
  EXPECT_EQ(s.users[1].group, "staff");
  EXPECT_EQ(s.users[1].home, "/var/lib/svc");
  EXPECT_EQ(s.users[1].shell, "/bin/sh");
  EXPECT_EQ(s.runtime.library_files, (std::vector<std::filesystem::path>{"/b/libp.so"}));
  EXPECT_EQ(s.layers[0].files[0].name, "host");
  EXPECT_TRUE(spec::parse(with("{}")).dlopen_note);

  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return error_of(t);
  };
  EXPECT_NE(replaced(R"("name":"app")", R"("name":"App")").find("user name \"App\" is not a valid account name"),
            std::string::npos);
  EXPECT_NE(replaced(R"("uid":4242)", R"("uid":4294967295)").find("\"uid\" is not a number from 0 to 4294967294"),
            std::string::npos);
  EXPECT_NE(replaced(R"("uid":4242)", R"("uid":-1)").find("uid"), std::string::npos);
  EXPECT_NE(replaced(R"({"name":"app"})", R"({"name":"svc"})").find("user \"svc\" is added twice"), std::string::npos);
  EXPECT_NE(replaced(R"("shell":"/bin/sh")", R"("shell":"sh")").find("shell \"sh\" is not an absolute path"),
            std::string::npos);
  EXPECT_NE(replaced(R"("name":"host")", R"("name":"a/b")").find("name \"a/b\" is not a file name"), std::string::npos);
  EXPECT_NE(replaced(R"("/b/libp.so")", R"("libp.so")").find("library file \"libp.so\" is not an absolute path"),
            std::string::npos);
}

TEST(Spec, AccountNames) {
  for (const char* ok : {"app", "_svc", "a-b_c9", "machine$", "a"}) EXPECT_TRUE(spec::is_account_name(ok)) << ok;
  for (const char* bad : {"", "App", "9a", "-a", "a b", "a:b", "$", "a$b", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    EXPECT_FALSE(spec::is_account_name(bad)) << bad;
  }
}

TEST(Spec, CreatedAndStrip) {
  auto created = [](const std::string& value) { return with("{}", R"(,"created":)" + value); };
  EXPECT_EQ(*spec::parse(created("1700000000")).created_epoch, 1700000000);
  EXPECT_EQ(spec::parse(created(R"("2026-11-30T09:00:00.25Z")")).created_text, "2026-11-30T09:00:00.25Z");
  EXPECT_EQ(spec::parse(created(R"("2026-11-30T09:00:00-05:30")")).created_text, "2026-11-30T09:00:00-05:30");
  for (const char* bad : {R"("2026-11-30")", R"("2026-11-30 09:00:00Z")", R"("2026-11-30T09:00:00")",
                          R"("2026-11-30T09:00:00.Z")", R"("2026-11-30T09:00:00+0100")", "-1", "1.5", "true"}) {
    EXPECT_NE(error_of(created(bad)).find("is neither seconds since 1970 nor an RFC 3339 time"), std::string::npos)
        << bad;
  }
  EXPECT_EQ(spec::parse(with("{}", R"(,"strip":"/usr/bin/strip")")).strip, "/usr/bin/strip");
  EXPECT_NE(error_of(with("{}", R"(,"strip":"strip")")).find("strip \"strip\" is not an absolute path"),
            std::string::npos);
  EXPECT_FALSE(spec::parse(with("{}")).created_epoch.has_value());
}

TEST(Spec, RuntimeData) {
  spec::BuildSpec none = spec::parse(with("{}"));
  EXPECT_FALSE(none.runtime_data.ca_certificates);
  EXPECT_FALSE(none.runtime_data.tzdata);
  EXPECT_TRUE(none.runtime_data.locales.empty() && none.runtime_data.iconv.empty());

  const std::string data = R"(,"runtime_data":{"ca_certificates":true,"ca_files":["/etc/company.pem"],"tzdata":true,)"
                           R"("locales":["C.UTF-8","de_DE.UTF-8"],"iconv":["UTF-16LE","latin1"]})";
  spec::RuntimeDataSpec r = spec::parse(with("{}", data)).runtime_data;
  EXPECT_TRUE(r.ca_certificates);
  EXPECT_EQ(r.ca_files, (std::vector<std::filesystem::path>{"/etc/company.pem"}));
  EXPECT_TRUE(r.tzdata);
  EXPECT_EQ(r.locales, (std::vector<std::string>{"C.UTF-8", "de_DE.UTF-8"}));
  EXPECT_EQ(r.iconv, (std::vector<std::string>{"UTF-16LE", "latin1"}));
  EXPECT_EQ(spec::parse(with("{}", R"(,"runtime_data":{"iconv":["ALL"]})")).runtime_data.iconv,
            (std::vector<std::string>{"ALL"}));

  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = data;
    t.replace(t.find(from), from.size(), to);
    return error_of(with("{}", t));
  };
  EXPECT_NE(replaced(R"("/etc/company.pem")", R"("company.pem")")
                .find("runtime_data: ca_files entry \"company.pem\" is not an absolute path"),
            std::string::npos);
  EXPECT_NE(replaced(R"("ca_certificates":true)", R"("ca_certificates":false)")
                .find("ca_files \"/etc/company.pem\" is given but ca_certificates is false"),
            std::string::npos);
  EXPECT_NE(replaced(R"("tzdata":true)", R"("tzdata":"yes")").find("field \"tzdata\" is not a boolean"),
            std::string::npos);
  EXPECT_NE(replaced(R"("de_DE.UTF-8")", R"("de/DE")").find("locales entry \"de/DE\" is not a name"),
            std::string::npos);
  EXPECT_NE(replaced(R"("latin1")", R"("latin 1")").find("iconv entry \"latin 1\" is not a name"), std::string::npos);
  EXPECT_NE(replaced(R"("latin1")", R"("ALL")").find("iconv entry \"ALL\" is given with other charsets"),
            std::string::npos);
  EXPECT_NE(replaced(R"("iconv":["UTF-16LE","latin1"])", R"("iconv":"ALL")").find("field \"iconv\" is not an array"),
            std::string::npos);
  EXPECT_NE(error_of(with("{}", R"(,"runtime_data":[])")).find("field \"runtime_data\" is not an object"),
            std::string::npos);
}

TEST(Spec, Sbom) {
  const spec::BuildSpec none = spec::parse(with("{}"));
  EXPECT_TRUE(none.sbom.formats.empty());  // no "sbom": none, and no scanner metadata
  EXPECT_FALSE(none.sbom.package_metadata);

  const spec::BuildSpec s =
      spec::parse(with("{}", R"(,"sbom":{"formats":["spdx","cyclonedx"],)"
                             R"("package_metadata":true,"project":{"name":"demo","version":"1.2","revision":"abc"}})"));
  ASSERT_EQ(s.sbom.formats.size(), 2u);
  EXPECT_EQ(s.sbom.formats[0], spec::SbomSpec::Format::Spdx);
  EXPECT_EQ(s.sbom.formats[1], spec::SbomSpec::Format::CycloneDx);
  EXPECT_TRUE(s.sbom.package_metadata);
  EXPECT_EQ(s.sbom.project_name, "demo");
  EXPECT_EQ(s.sbom.project_version, "1.2");
  EXPECT_EQ(s.sbom.project_homepage, "");
  EXPECT_EQ(s.sbom.project_revision, "abc");

  EXPECT_NE(
      error_of(with("{}", R"(,"sbom":{"formats":["xml"]})")).find("sbom: format \"xml\" is neither spdx nor cyclonedx"),
      std::string::npos);
  EXPECT_NE(error_of(with("{}", R"(,"sbom":{"formats":"spdx"})")).find("\"formats\" is not an array"),
            std::string::npos);
  EXPECT_NE(error_of(with("{}", R"(,"sbom":{"package_metadata":"yes"})")).find("\"package_metadata\" is not a boolean"),
            std::string::npos);
}
