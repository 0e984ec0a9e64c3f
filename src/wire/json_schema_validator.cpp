#include "wire/json_schema_validator.h"

#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace duet::wire {
namespace {

enum TypeBit : uint8_t {
  kNullBit = 1,
  kBooleanBit = 2,
  kObjectBit = 4,
  kArrayBit = 8,
  kNumberBit = 16,
  kIntegerBit = 32,
  kStringBit = 64,
};

struct TypeName {
  std::string_view name;
  uint8_t bit;
};

constexpr TypeName kTypeNames[] = {
    {"integer", kIntegerBit}, {"number", kNumberBit}, {"string", kStringBit},
    {"boolean", kBooleanBit}, {"object", kObjectBit}, {"array", kArrayBit},
    {"null", kNullBit},
};

bool IsIntegral(const Json& value) {
  if (value.is_number_integer()) {
    return true;
  }
  if (!value.is_number_float()) {
    return false;
  }
  const double number = value.get<double>();
  return std::isfinite(number) && std::floor(number) == number;
}

uint8_t TypeBitOf(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return kNullBit;
    case Json::value_t::boolean:
      return kBooleanBit;
    case Json::value_t::object:
      return kObjectBit;
    case Json::value_t::array:
      return kArrayBit;
    case Json::value_t::string:
      return kStringBit;
    default:
      return value.is_number() ? kNumberBit : 0;
  }
}

// The JSON type of a value as a schema names it; every number is "number"
// here, since "integer" is a refinement the messages only need for floats.
std::string_view KindName(const Json& value) {
  const uint8_t bit = TypeBitOf(value);
  for (const TypeName& type : kTypeNames) {
    if (type.bit == bit) {
      return type.name;
    }
  }
  return "value";
}

bool MatchesTypes(const Json& value, uint8_t allowed) {
  if ((TypeBitOf(value) & allowed) != 0) {
    return true;
  }
  return (allowed & kIntegerBit) != 0 && IsIntegral(value);
}

// "string", "string or null", "integer, string or null".
std::string DescribeTypes(uint8_t allowed) {
  std::vector<std::string_view> names;
  for (const TypeName& type : kTypeNames) {
    if ((allowed & type.bit) != 0) {
      names.push_back(type.name);
    }
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      out += i + 1 == names.size() ? " or " : ", ";
    }
    out += names[i];
  }
  return out;
}

// JSON equality as JSON Schema defines it for enum and const: numbers by
// value (1 == 1.0), objects regardless of key order.
bool JsonEqual(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    return a == b;
  }
  if (a.type() != b.type()) {
    return false;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (const auto& [key, member] : a.items()) {
      const auto other = b.find(key);
      if (other == b.end() || !JsonEqual(member, *other)) {
        return false;
      }
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (!JsonEqual(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  return a == b;
}

// ".name" for identifier keys, ["other key"] (ASCII, JSON-escaped, cut to
// 64 bytes) for the rest.
std::string PathKey(std::string_view key) {
  constexpr size_t kMaxKeyBytes = 64;
  const auto identifier_char = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
  };
  bool identifier = !key.empty() && key.size() <= kMaxKeyBytes;
  for (size_t i = 0; identifier && i < key.size(); ++i) {
    identifier = identifier_char(key[i], i == 0);
  }
  if (identifier) {
    return "." + std::string(key);
  }
  std::string shown(key.substr(0, kMaxKeyBytes));
  if (key.size() > kMaxKeyBytes) {
    shown += "...";
  }
  return "[" +
         Json(shown).dump(-1, ' ', /*ensure_ascii=*/true,
                          Json::error_handler_t::replace) +
         "]";
}

// Appends a step to the path for the lifetime of the scope.
class PathStep {
 public:
  PathStep(std::string* path, const std::string& step)
      : path_(path), mark_(path->size()) {
    path_->append(step);
  }
  ~PathStep() { path_->resize(mark_); }
  PathStep(const PathStep&) = delete;
  PathStep& operator=(const PathStep&) = delete;

 private:
  std::string* path_;
  size_t mark_;
};

size_t CodePoints(const std::string& text) {
  size_t count = 0;
  for (const char c : text) {
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return count;
}

class Validator {
 public:
  explicit Validator(const Json& root) : root_(root) {}

  Status Check(const Json& schema, const Json& value, int depth);

 private:
  Status Violation(const std::string& what) const {
    return InvalidArgument(path_ + ": " + what);
  }
  Status SchemaProblem(const std::string& what) const {
    return InvalidArgument(std::string(kSchemaErrorPrefix) + what +
                           " (met at " + path_ + ")");
  }

  Result<const Json*> ResolveRef(const Json& ref);
  Result<std::optional<uint64_t>> ReadCount(const Json& schema,
                                            const char* key) const;
  Status CheckType(const Json& schema, const Json& value) const;
  Status CheckEnumAndConst(const Json& schema, const Json& value) const;
  Status CheckNumber(const Json& schema, const Json& value) const;
  Status CheckString(const Json& schema, const Json& value) const;
  Status CheckArray(const Json& schema, const Json& value, int depth);
  Status CheckObject(const Json& schema, const Json& value, int depth);
  Status CheckCombinators(const Json& schema, const Json& value, int depth);

  const Json& root_;
  std::unordered_map<std::string, const Json*> resolved_refs_;
  int64_t steps_ = 0;
  std::string path_ = "$";
};

Status Validator::Check(const Json& schema, const Json& value, int depth) {
  if (++steps_ > kMaxSchemaSteps) {
    return SchemaProblem("too costly to check (over " +
                         std::to_string(kMaxSchemaSteps) + " steps)");
  }
  if (depth > kMaxSchemaRecursion) {
    return SchemaProblem("recursion deeper than " +
                         std::to_string(kMaxSchemaRecursion) +
                         " levels (a $ref cycle?)");
  }
  if (schema.is_boolean()) {
    return schema.get<bool>() ? Status::Ok()
                              : Violation("no value is allowed here");
  }
  if (!schema.is_object()) {
    return SchemaProblem("a schema must be an object or a boolean");
  }
  if (const Json* ref = FindMember(schema, "$ref")) {
    DUET_ASSIGN_OR_RETURN(const Json* target, ResolveRef(*ref));
    if (target != nullptr) {
      DUET_RETURN_IF_ERROR(Check(*target, value, depth + 1));
    }
  }
  DUET_RETURN_IF_ERROR(CheckType(schema, value));
  DUET_RETURN_IF_ERROR(CheckEnumAndConst(schema, value));
  if (value.is_number()) {
    DUET_RETURN_IF_ERROR(CheckNumber(schema, value));
  } else if (value.is_string()) {
    DUET_RETURN_IF_ERROR(CheckString(schema, value));
  } else if (value.is_array()) {
    DUET_RETURN_IF_ERROR(CheckArray(schema, value, depth));
  } else if (value.is_object()) {
    DUET_RETURN_IF_ERROR(CheckObject(schema, value, depth));
  }
  return CheckCombinators(schema, value, depth);
}

// The schema `ref` points to; nullptr for a remote reference, which is
// ignored.
Result<const Json*> Validator::ResolveRef(const Json& ref) {
  if (!ref.is_string()) {
    return Error(SchemaProblem("$ref must be a string"));
  }
  const std::string& text = ref.get_ref<const std::string&>();
  if (!text.starts_with('#')) {
    return nullptr;
  }
  const auto cached = resolved_refs_.find(text);
  if (cached != resolved_refs_.end()) {
    return cached->second;
  }
  const Json* target = nullptr;
  try {
    target = &root_.at(Json::json_pointer(text.substr(1)));
  } catch (const Json::exception&) {
    return Error(SchemaProblem("a $ref points to nothing in the schema"));
  }
  resolved_refs_.emplace(text, target);
  return target;
}

Result<std::optional<uint64_t>> Validator::ReadCount(const Json& schema,
                                                     const char* key) const {
  const Json* count = FindMember(schema, key);
  if (count == nullptr) {
    return std::nullopt;
  }
  if (!IsIntegral(*count) || count->get<double>() < 0) {
    return Error(
        SchemaProblem(std::string(key) + " must be a non-negative integer"));
  }
  if (count->is_number_unsigned()) {
    return count->get<uint64_t>();
  }
  // Floats such as 2.0 count too; beyond int64 no length matters.
  const double number = count->get<double>();
  return number >= 9.0e18 ? uint64_t{9'000'000'000'000'000'000u}
                          : static_cast<uint64_t>(number);
}

Status Validator::CheckType(const Json& schema, const Json& value) const {
  const Json* type = FindMember(schema, "type");
  if (type == nullptr) {
    return Status::Ok();
  }
  uint8_t allowed = 0;
  const auto add = [&](const Json& name) {
    for (const TypeName& known : kTypeNames) {
      if (name.is_string() &&
          name.get_ref<const std::string&>() == known.name) {
        allowed |= known.bit;
        return true;
      }
    }
    return false;
  };
  bool well_formed = type->is_array() ? !type->empty() : add(*type);
  if (type->is_array()) {
    for (const Json& name : *type) {
      well_formed = well_formed && add(name);
    }
  }
  if (!well_formed) {
    return SchemaProblem("type must name JSON types");
  }
  if (MatchesTypes(value, allowed)) {
    return Status::Ok();
  }
  std::string_view got = KindName(value);
  return Violation("expected " + DescribeTypes(allowed) + ", got " +
                   std::string(got));
}

Status Validator::CheckEnumAndConst(const Json& schema,
                                    const Json& value) const {
  if (schema.contains("const") && !JsonEqual(schema["const"], value)) {
    return Violation("not the value the schema's const requires");
  }
  const Json* allowed = FindMember(schema, "enum");
  if (allowed == nullptr) {
    return Status::Ok();
  }
  if (!allowed->is_array()) {
    return SchemaProblem("enum must be an array");
  }
  for (const Json& candidate : *allowed) {
    if (JsonEqual(candidate, value)) {
      return Status::Ok();
    }
  }
  return Violation("not one of the " + std::to_string(allowed->size()) +
                   " values the schema's enum allows");
}

Status Validator::CheckNumber(const Json& schema, const Json& value) const {
  struct Bound {
    const char* key;
    bool lower;
    bool exclusive;
  };
  constexpr Bound kBounds[] = {
      {"minimum", true, false},
      {"maximum", false, false},
      {"exclusiveMinimum", true, true},
      {"exclusiveMaximum", false, true},
  };
  const double number = value.get<double>();
  for (const Bound& bound : kBounds) {
    const Json* limit = FindMember(schema, bound.key);
    // Draft 4 spells exclusive bounds as booleans beside minimum/maximum;
    // they are read with those.
    if (limit == nullptr || (bound.exclusive && limit->is_boolean())) {
      continue;
    }
    if (!limit->is_number()) {
      return SchemaProblem(std::string(bound.key) + " must be a number");
    }
    const Json* draft4_flag = FindMember(
        schema, bound.lower ? "exclusiveMinimum" : "exclusiveMaximum");
    const bool exclusive = bound.exclusive || (draft4_flag != nullptr &&
                                               draft4_flag->is_boolean() &&
                                               draft4_flag->get<bool>());
    const double edge = limit->get<double>();
    const bool outside = (bound.lower ? number < edge : number > edge) ||
                         (exclusive && number == edge);
    if (outside) {
      const char* relation = bound.lower
                                 ? (exclusive ? "not above " : "below ")
                                 : (exclusive ? "not below " : "above ");
      return Violation(relation + std::string(bound.key) + " " + limit->dump());
    }
  }
  return Status::Ok();
}

Status Validator::CheckString(const Json& schema, const Json& value) const {
  DUET_ASSIGN_OR_RETURN(const std::optional<uint64_t> min_length,
                        ReadCount(schema, "minLength"));
  DUET_ASSIGN_OR_RETURN(const std::optional<uint64_t> max_length,
                        ReadCount(schema, "maxLength"));
  const size_t length = CodePoints(value.get_ref<const std::string&>());
  if (min_length && length < *min_length) {
    return Violation("shorter than minLength " + std::to_string(*min_length));
  }
  if (max_length && length > *max_length) {
    return Violation("longer than maxLength " + std::to_string(*max_length));
  }
  return Status::Ok();
}

Status Validator::CheckArray(const Json& schema, const Json& value, int depth) {
  DUET_ASSIGN_OR_RETURN(const std::optional<uint64_t> min_items,
                        ReadCount(schema, "minItems"));
  DUET_ASSIGN_OR_RETURN(const std::optional<uint64_t> max_items,
                        ReadCount(schema, "maxItems"));
  if (min_items && value.size() < *min_items) {
    return Violation("fewer items than minItems " + std::to_string(*min_items));
  }
  if (max_items && value.size() > *max_items) {
    return Violation("more items than maxItems " + std::to_string(*max_items));
  }
  const Json* items = FindMember(schema, "items");
  if (items == nullptr || items->is_array()) {
    return Status::Ok();  // array-form items (tuples) are not checked
  }
  for (size_t i = 0; i < value.size(); ++i) {
    PathStep step(&path_, "[" + std::to_string(i) + "]");
    DUET_RETURN_IF_ERROR(Check(*items, value[i], depth + 1));
  }
  return Status::Ok();
}

Status Validator::CheckObject(const Json& schema, const Json& value,
                              int depth) {
  if (const Json* required = FindMember(schema, "required")) {
    if (!required->is_array()) {
      return SchemaProblem("required must be an array of strings");
    }
    for (const Json& name : *required) {
      if (!name.is_string()) {
        return SchemaProblem("required must be an array of strings");
      }
      const std::string& key = name.get_ref<const std::string&>();
      if (!value.contains(key)) {
        PathStep step(&path_, PathKey(key));
        return Violation("required property missing");
      }
    }
  }
  const Json* properties = FindMember(schema, "properties");
  if (properties != nullptr && !properties->is_object()) {
    return SchemaProblem("properties must be an object");
  }
  const Json* additional = FindMember(schema, "additionalProperties");
  if (additional != nullptr && !additional->is_boolean() &&
      !additional->is_object()) {
    return SchemaProblem("additionalProperties must be a boolean or a schema");
  }
  for (const auto& [key, member] : value.items()) {
    PathStep step(&path_, PathKey(key));
    const Json* declared = nullptr;
    if (properties != nullptr) {
      const auto found = properties->find(key);
      declared = found != properties->end() ? &*found : nullptr;
    }
    if (declared != nullptr) {
      DUET_RETURN_IF_ERROR(Check(*declared, member, depth + 1));
    } else if (additional != nullptr) {
      if (additional->is_boolean() && !additional->get<bool>()) {
        return Violation(
            "property not allowed (additionalProperties is false)");
      }
      DUET_RETURN_IF_ERROR(Check(*additional, member, depth + 1));
    }
  }
  return Status::Ok();
}

Status Validator::CheckCombinators(const Json& schema, const Json& value,
                                   int depth) {
  struct Combinator {
    const char* key;
    bool all;  // every alternative must match, not just one
  };
  constexpr Combinator kCombinators[] = {
      {"allOf", true}, {"anyOf", false}, {"oneOf", false}};
  for (const auto& [key, all] : kCombinators) {
    const Json* alternatives = FindMember(schema, key);
    if (alternatives == nullptr) {
      continue;
    }
    if (!alternatives->is_array() || alternatives->empty()) {
      return SchemaProblem(std::string(key) + " must be a non-empty array");
    }
    bool matched = false;
    for (const Json& alternative : *alternatives) {
      Status status = Check(alternative, value, depth + 1);
      if (status.ok()) {
        matched = true;
        if (!all) {
          break;
        }
      } else if (all || status.message().starts_with(kSchemaErrorPrefix)) {
        return status;
      }
    }
    if (!matched) {
      return Violation("matches none of the " +
                       std::to_string(alternatives->size()) + " " + key +
                       " alternatives");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateAgainstSchema(const Json& value, const Json& schema) {
  Validator validator(schema);
  return validator.Check(schema, value, 0);
}

}  // namespace duet::wire
