#include "wire/json_read.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "wire/event_json.h"

namespace duet::wire {
namespace {

// nlohmann's value for what simdjson parsed: the same tree nlohmann's own
// parser builds from the same text (see ParseJsonObject). The recursion is
// as deep as the text nests: at most 1024 (simdjson's limit), and at most
// max_depth, past which the builder stops and says so.
class TreeBuilder {
 public:
  explicit TreeBuilder(size_t max_depth) : max_depth_(max_depth) {}

  bool too_deep() const { return too_deep_; }

  // `depth`: how many arrays and objects enclose `source`, itself included.
  Json Object(simdjson::dom::object source, size_t depth) {
    if (depth > max_depth_) {
      too_deep_ = true;
      return Json(nullptr);
    }
    Json object = Json::object();
    auto& members = object.get_ref<Json::object_t&>();
    for (const simdjson::dom::key_value_pair member : source) {
      // operator[] then assignment, as nlohmann's parser does it: a repeated
      // key keeps its first position and its last value.
      members[std::string(member.key)] = Element(member.value, depth);
      if (too_deep_) {
        break;
      }
    }
    return object;
  }

  // `parent_depth`: how many arrays and objects enclose `element`.
  Json Element(simdjson::dom::element element, size_t parent_depth) {
    switch (element.type()) {
      case simdjson::dom::element_type::OBJECT:
        return Object(element.get_object().value_unsafe(), parent_depth + 1);
      case simdjson::dom::element_type::ARRAY: {
        if (parent_depth + 1 > max_depth_) {
          too_deep_ = true;
          return Json(nullptr);
        }
        Json array = Json::array();
        auto& items = array.get_ref<Json::array_t&>();
        const simdjson::dom::array source = element.get_array().value_unsafe();
        items.reserve(source.size());
        for (const simdjson::dom::element item : source) {
          items.push_back(Element(item, parent_depth + 1));
          if (too_deep_) {
            break;
          }
        }
        return array;
      }
      case simdjson::dom::element_type::STRING:
        return Json(std::string(element.get_string().value_unsafe()));
      case simdjson::dom::element_type::INT64: {
        // nlohmann keeps a literal without a minus sign as unsigned.
        const int64_t value = element.get_int64().value_unsafe();
        return value >= 0 ? Json(static_cast<uint64_t>(value)) : Json(value);
      }
      case simdjson::dom::element_type::UINT64:
        return Json(element.get_uint64().value_unsafe());
      case simdjson::dom::element_type::DOUBLE:
        return Json(element.get_double().value_unsafe());
      case simdjson::dom::element_type::BOOL:
        return Json(element.get_bool().value_unsafe());
      case simdjson::dom::element_type::NULL_VALUE:
        break;
    }
    return Json(nullptr);
  }

 private:
  const size_t max_depth_;
  bool too_deep_ = false;
};

// nlohmann's parser for text simdjson refused: the same answers as
// ParseJsonObject's, with the error's position.
Result<Json> ParseWithNlohmann(std::string_view body) {
  Json parsed = Json::parse(body, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    // Re-parse with exceptions only on the error path, for the position.
    try {
      Json ignored = Json::parse(body);
      (void)ignored;
    } catch (const Json::parse_error& e) {
      return Error(InvalidArgument(std::string("malformed JSON body: ") +
                                   e.what()));
    }
    return Error(InvalidArgument("malformed JSON body"));
  }
  if (!parsed.is_object()) {
    return Error(InvalidArgument("request body must be a JSON object"));
  }
  return parsed;
}

}  // namespace

Result<Json> ParseJsonObject(std::string_view body) {
  return ParseJsonObject(body, NestingLimit{});
}

Result<Json> ParseJsonObject(std::string_view body, const NestingLimit& limit) {
  // simdjson validates and tokenises the text far faster than nlohmann's
  // lexer, and the tree is built from what it read (a typical request body
  // now parses in half the time: bench/adapter_benchmark.cpp). Whatever it
  // refuses, or reads as something other than an object, goes through
  // nlohmann below, so errors and edge cases come out exactly as before.
  {
    EventJson fast;
    if (Result<simdjson::dom::object> object = fast.ParseWithSimdjsonOnly(body);
        object.has_value()) {
      TreeBuilder builder(limit.max_depth);
      Json tree = builder.Object(*object, 1);
      if (builder.too_deep()) {
        return Error(limit.too_deep);
      }
      return tree;
    }
  }
  if (limit.max_depth != kNoNestingLimit && NestingDepth(body) > limit.max_depth) {
    return Error(limit.too_deep);
  }
  return ParseWithNlohmann(body);
}

size_t NestingDepth(std::string_view json) {
  size_t depth = 0;
  size_t deepest = 0;
  const char* p = json.data();
  const char* const end = p + json.size();
  while (p < end) {
    const char c = *p++;
    if (c == '"') {
      // Strings are most of a request's bytes: jump from quote to quote
      // (memchr) instead of stepping through them. A quote ends the string
      // when an even number of backslashes (escaping each other) precede it.
      const char* const content = p;
      while (true) {
        const auto* quote = static_cast<const char*>(
            std::memchr(p, '"', static_cast<size_t>(end - p)));
        if (quote == nullptr) {
          return deepest;  // unterminated: the rest is inside the string
        }
        const char* escapes = quote;  // the run of backslashes before it
        while (escapes > content && escapes[-1] == '\\') {
          --escapes;
        }
        p = quote + 1;
        if ((quote - escapes) % 2 == 0) {
          break;
        }
      }
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

bool NestsDeeperThan(std::string_view json, int limit) {
  return NestingDepth(json) > static_cast<size_t>(std::max(0, limit));
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) {
    return std::string(key);
  }
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string JoinPath(std::string_view parent, size_t index) {
  return JoinPath(parent, std::to_string(index));
}

const Json* FindMember(const Json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

Status FieldRequired(std::string_view path) {
  return InvalidArgument(std::string(path) + ": Field required");
}

Status WrongType(std::string_view path, std::string_view expected) {
  return InvalidArgument(std::string(path) + ": expected " +
                         std::string(expected));
}

Result<std::string> RequireString(const Json& object, std::string_view key,
                                  std::string_view path) {
  const Json* value = FindMember(object, key);
  if (value == nullptr) {
    return Error(FieldRequired(JoinPath(path, key)));
  }
  if (!value->is_string()) {
    return Error(WrongType(JoinPath(path, key), "a string"));
  }
  return value->get<std::string>();
}

Result<std::optional<std::string>> OptionalString(const Json& object,
                                                  std::string_view key,
                                                  std::string_view path) {
  const Json* value = FindMember(object, key);
  if (value == nullptr) {
    return std::optional<std::string>();
  }
  if (!value->is_string()) {
    return Error(WrongType(JoinPath(path, key), "a string"));
  }
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::optional<int64_t>> OptionalInt(const Json& object,
                                           std::string_view key,
                                           std::string_view path) {
  const Json* value = FindMember(object, key);
  if (value == nullptr) {
    return std::optional<int64_t>();
  }
  if (value->is_number_unsigned()) {
    const uint64_t number = value->get<uint64_t>();
    if (number <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::optional<int64_t>(static_cast<int64_t>(number));
    }
  } else if (value->is_number_integer()) {
    return std::optional<int64_t>(value->get<int64_t>());
  } else if (value->is_number_float()) {
    // 256.0 counts as an integer: JavaScript clients have no integer type.
    // The range is checked before converting; converting a double outside
    // int64's range is undefined behaviour.
    constexpr double kTwoToThe63 = 9223372036854775808.0;
    const double number = value->get<double>();
    if (number >= -kTwoToThe63 && number < kTwoToThe63 &&
        std::trunc(number) == number) {
      return std::optional<int64_t>(static_cast<int64_t>(number));
    }
  }
  return Error(WrongType(JoinPath(path, key), "an integer"));
}

Result<std::optional<double>> OptionalNumber(const Json& object,
                                             std::string_view key,
                                             std::string_view path) {
  const Json* value = FindMember(object, key);
  if (value == nullptr) {
    return std::optional<double>();
  }
  if (!value->is_number()) {
    return Error(WrongType(JoinPath(path, key), "a number"));
  }
  return std::optional<double>(value->get<double>());
}

Result<std::optional<bool>> OptionalBool(const Json& object,
                                         std::string_view key,
                                         std::string_view path) {
  const Json* value = FindMember(object, key);
  if (value == nullptr) {
    return std::optional<bool>();
  }
  if (!value->is_boolean()) {
    return Error(WrongType(JoinPath(path, key), "a boolean"));
  }
  return std::optional<bool>(value->get<bool>());
}

RawJson ToRawJson(const Json& value) {
  // Replace invalid UTF-8 rather than throw: input came from the parser, so
  // this only matters for values duet built itself.
  return RawJson{value.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

Json FromRawJson(const RawJson& raw, Json fallback) {
  if (raw.empty()) {
    return fallback;
  }
  return Json::parse(raw.text, nullptr, /*allow_exceptions=*/false);
}

std::string StringOrEmpty(const Json& object, std::string_view key) {
  const Json* value = FindMember(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>()
                                                : std::string();
}

std::optional<int64_t> IntIfPresent(const Json& object, std::string_view key) {
  const Json* value = FindMember(object, key);
  if (value == nullptr || !value->is_number_integer()) {
    return std::nullopt;
  }
  return value->get<int64_t>();
}

}  // namespace duet::wire
