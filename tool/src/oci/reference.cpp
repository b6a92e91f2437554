#include "oci/reference.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <cctype>

namespace ocipack::oci {

namespace {

constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxTag = 128;
constexpr const char* kDockerHub = "docker.io";

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

// Calls f on each part of `text` between `sep`s (empty parts included);
// true if f is true for all.
template <typename F>
bool all_parts(std::string_view text, char sep, F f) {
  for (;;) {
    const std::size_t end = text.find(sep);
    if (!f(text.substr(0, end))) return false;
    if (end == std::string_view::npos) return true;
    text.remove_prefix(end + 1);
  }
}

// [a-z0-9]+ joined by ".", "_", "__" or a run of "-".
bool path_component_ok(std::string_view c) {
  if (c.empty() || !lower_alnum(c.front()) || !lower_alnum(c.back())) return false;
  std::size_t i = 0;
  while (i < c.size()) {
    if (lower_alnum(c[i])) {
      ++i;
      continue;
    }
    std::size_t next = i + 1;  // past the separator
    if (c[i] == '_' && c[next] == '_') {
      ++next;
    } else if (c[i] == '-') {
      while (c[next] == '-') ++next;
    } else if (c[i] != '.' && c[i] != '_') {
      return false;
    }
    if (!lower_alnum(c[next])) return false;  // the last character is alphanumeric: next < size
    i = next;
  }
  return true;
}

bool path_ok(std::string_view path) { return all_parts(path, '/', path_component_ok); }

// A DNS label, upper case allowed: alphanumerics with inner "-".
bool host_label_ok(std::string_view l) {
  return !l.empty() && alnum(l.front()) && alnum(l.back()) &&
         std::all_of(l.begin(), l.end(), [](char c) { return alnum(c) || c == '-'; });
}

bool host_ok(std::string_view host) {
  const std::size_t colon = host.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = host.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), digit)) return false;
    host = host.substr(0, colon);
  }
  return all_parts(host, '.', host_label_ok);
}

bool tag_ok(std::string_view t) {
  return !t.empty() && t.size() <= kMaxTag && (alnum(t.front()) || t.front() == '_') &&
         std::all_of(t.begin(), t.end(), [](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Docker's reading of the first component: a host when it holds "." or ":"
// or is "localhost", else the start of the path.
bool looks_like_host(std::string_view head) {
  return head.find_first_of(".:") != std::string_view::npos || head == "localhost";
}

enum class Mode { Tag, Push, Digested };

Reference parse(std::string_view text, Mode mode) {
  auto fail = [&](const std::string& why) {
    return Error(printable("invalid image reference \"" + std::string(text) + "\": " + why));
  };
  if (text.empty()) throw fail("empty");
  Reference ref;
  std::string_view name = text;

  const std::size_t at = name.find('@');
  if (mode == Mode::Digested) {
    if (at == std::string_view::npos) throw fail("no digest (@sha256:<64 lower-case hex digits>)");
    try {
      ref.digest = Digest::parse(name.substr(at + 1));
    } catch (const Error& e) {
      throw fail(e.what());
    }
    name = name.substr(0, at);
  } else if (at != std::string_view::npos) {
    throw fail("a digest (@sha256:...) names existing content; a tag cannot have one");
  }

  // The tag follows the last ':' that no '/' follows (a port has one).
  const std::size_t colon = name.rfind(':');
  if (colon != std::string_view::npos && name.find('/', colon) == std::string_view::npos) {
    ref.tag = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (!tag_ok(ref.tag)) {
      throw fail("tag \"" + ref.tag + "\" is not 1 to 128 of [A-Za-z0-9_.-] starting with [A-Za-z0-9_]");
    }
  } else if (mode != Mode::Digested) {
    ref.tag = "latest";
  }
  if (name.empty()) throw fail("no repository name");

  std::string_view path = name;
  const std::size_t slash = name.find('/');
  const std::string_view head = name.substr(0, slash);
  if (slash != std::string_view::npos && looks_like_host(head)) {
    if (host_ok(head)) {
      ref.domain = head;
      ref.explicit_domain = true;
      path = name.substr(slash + 1);
    } else if (mode == Mode::Push || !path_ok(name)) {
      throw fail("registry host \"" + std::string(head) +
                 "\" is not host names of letters, digits and inner '-' joined by '.', "
                 "with an optional :<port> (no [IPv6] address)");
    }
    // else Docker reads the whole name as a path, with no host.
  } else {
    ref.domain = kDockerHub;
  }
  if (!path_ok(path)) {
    if (path_ok(lower(path))) throw fail("repository \"" + std::string(path) + "\" must be lower-case");
    throw fail("repository \"" + std::string(path) +
               "\" is not /-separated components of lower-case letters and digits "
               "joined by '.', '_', '__' or '-'");
  }
  ref.path = path;
  if (ref.domain == "index.docker.io") ref.domain = kDockerHub;
  if (ref.domain == kDockerHub && ref.path.find('/') == std::string::npos) ref.path = "library/" + ref.path;

  if (ref.name().size() > kMaxName) {
    throw fail("the name " + ref.name() + " is " + std::to_string(ref.name().size()) + " characters, more than 255");
  }
  const std::string familiar = ref.familiar();
  const std::string familiar_name = familiar.substr(0, familiar.find_first_of(":@"));
  if (familiar_name == "sha256") throw fail("Docker refuses \"sha256\" as a name: it reads as a digest");
  // Docker 20.10's `docker tag` sends the short name (docker.io/library/
  // dropped), and its daemon takes a name of 64 hex digits for an image ID.
  if (familiar_name.size() == 64 && std::all_of(familiar_name.begin(), familiar_name.end(),
                                                [](char c) { return digit(c) || (c >= 'a' && c <= 'f'); })) {
    throw fail("64 hexadecimal digits name an image ID, not a repository");
  }
  return ref;
}

}  // namespace

Reference Reference::parse_tag(std::string_view text) { return parse(text, Mode::Tag); }
Reference Reference::parse_push(std::string_view text) { return parse(text, Mode::Push); }
Reference Reference::parse_digested(std::string_view text) { return parse(text, Mode::Digested); }

std::string Reference::name() const { return domain.empty() ? path : domain + "/" + path; }

namespace {
std::string suffix(const Reference& r) {
  return (r.tag.empty() ? "" : ":" + r.tag) + (r.digest ? "@" + r.digest->str() : "");
}
}  // namespace

std::string Reference::full() const { return name() + suffix(*this); }

std::string Reference::familiar() const {
  if (domain != kDockerHub) return full();
  // Docker hides docker.io/, and library/ before a one-component name.
  const bool official = path.rfind("library/", 0) == 0 && path.find('/', 8) == std::string::npos;
  return (official ? path.substr(8) : path) + suffix(*this);
}

std::string Reference::credential_key() const { return domain == kDockerHub ? "https://index.docker.io/v1/" : domain; }

}  // namespace ocipack::oci
