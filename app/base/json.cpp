#include "base/json.h"

#include "base/utf8.h"

namespace ipcscope::base {
namespace {

// A copy of `j` whose strings and keys are valid UTF-8.
template <class Json>
Json sanitized(const Json& j) {
    switch (j.type()) {
    case nlohmann::detail::value_t::string: return Json(escapeInvalidUtf8(j.template get_ref<const std::string&>()));
    case nlohmann::detail::value_t::array: {
        Json out = Json::array();
        for (const auto& v : j) out.push_back(sanitized(v));
        return out;
    }
    case nlohmann::detail::value_t::object: {
        Json out = Json::object();
        for (auto it = j.begin(); it != j.end(); ++it) out[escapeInvalidUtf8(it.key())] = sanitized(it.value());
        return out;
    }
    default: return j;
    }
}

template <class Json>
std::string dump(const Json& j, int indent) {
    try {
        return j.dump(indent, ' ', false, Json::error_handler_t::strict);
    } catch (const typename Json::type_error&) {
        // Invalid UTF-8 somewhere (type_error 316): escape it and write again. The tree is
        // valid now; `replace` only guards against a case this function does not foresee.
        return sanitized(j).dump(indent, ' ', false, Json::error_handler_t::replace);
    }
}

}  // namespace

std::string dumpJson(const nlohmann::json& j, int indent) { return dump(j, indent); }
std::string dumpJson(const nlohmann::ordered_json& j, int indent) { return dump(j, indent); }

std::string jsonString(std::string_view s) {
    return nlohmann::json(escapeInvalidUtf8(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ipcscope::base
