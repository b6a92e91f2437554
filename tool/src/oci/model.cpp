#include "oci/model.hpp"

#include "util/chars.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <ctime>

namespace ocipack::oci {

Digest Digest::parse(std::string_view text) {
  std::string s(text);
  if (s.compare(0, 7, "sha256:") != 0 || !util::is_lower_hex(std::string_view(s).substr(7), 64)) {
    throw Error("invalid digest \"" + s + "\" (expected sha256:<64 lower-case hex digits>)");
  }
  return Digest{s.substr(7)};
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

namespace {
std::string env_name(const std::string& entry) { return entry.substr(0, entry.find('=')); }

template <typename T>
void unite(std::vector<T>& into, const std::vector<T>& more) {
  for (const auto& v : more) {
    if (std::find(into.begin(), into.end(), v) == into.end()) into.push_back(v);
  }
}
}  // namespace

ContainerConfig inherit(const ContainerConfig& base, const ContainerConfig& ours) {
  ContainerConfig c = base;
  for (const auto& e : ours.env) {
    auto same =
        std::find_if(c.env.begin(), c.env.end(), [&](const std::string& b) { return env_name(b) == env_name(e); });
    if (same != c.env.end()) {
      *same = e;
    } else {
      c.env.push_back(e);
    }
  }
  if (ours.entrypoint) {
    c.entrypoint = ours.entrypoint;
    c.cmd.reset();  // docker: a new ENTRYPOINT resets the inherited CMD
  }
  if (ours.cmd) c.cmd = ours.cmd;
  if (!ours.working_dir.empty()) c.working_dir = ours.working_dir;
  if (!ours.user.empty()) c.user = ours.user;
  if (!ours.stop_signal.empty()) c.stop_signal = ours.stop_signal;
  for (const auto& [k, v] : ours.labels) c.labels[k] = v;
  unite(c.exposed_ports, ours.exposed_ports);
  unite(c.volumes, ours.volumes);
  return c;
}

void add_default_path(std::vector<std::string>& env) {
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) return;
  }
  env.insert(env.begin(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

std::string rfc3339(std::int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) throw Error("time out of range: " + std::to_string(epoch_seconds));
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace ocipack::oci
