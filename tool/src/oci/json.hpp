// JSON forms of the OCI data model (image-spec v1.0 field names). Output is
// canonical: compact with sorted keys (nlohmann::json's std::map objects),
// so the same values always give the same bytes and so the same digests.
#pragma once

#include "oci/model.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace ocipack::oci {

nlohmann::json to_json(const Descriptor& d);
nlohmann::json to_json(const Platform& p);
nlohmann::json to_json(const ImageConfig& c);
nlohmann::json to_json(const Manifest& m);
nlohmann::json to_json(const Index& i);

// Readers: throw Error naming the missing or mistyped field.
Descriptor descriptor_from_json(const nlohmann::json& j);
Platform platform_from_json(const nlohmann::json& j);
ImageConfig config_from_json(const nlohmann::json& j);
Manifest manifest_from_json(const nlohmann::json& j);
Index index_from_json(const nlohmann::json& j);

// The canonical bytes of a document: what gets hashed and stored.
std::string canonical(const nlohmann::json& j);

// Parses JSON text, turning parse errors into Error("<what>: ...").
nlohmann::json parse_json(const std::string& text, const std::string& what);

}  // namespace ocipack::oci
