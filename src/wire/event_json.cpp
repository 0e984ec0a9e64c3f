#include "wire/event_json.h"

#include <algorithm>

#include "wire/json_read.h"

namespace duet::wire {
namespace {

// The parser most events on a thread reuse, and whether an EventJson on
// this thread holds it now.
struct SharedParser {
  simdjson::dom::parser parser;
  bool in_use = false;
};

SharedParser& ThisThreadsParser() {
  thread_local SharedParser shared;
  return shared;
}

Result<simdjson::dom::object> RootObject(simdjson::dom::element root) {
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Error(InvalidArgument("not a JSON object"));
  }
  return object;
}

}  // namespace

EventJson::~EventJson() { ReleaseParser(); }

Result<simdjson::dom::object> EventJson::Parse(std::string_view text) {
  Result<simdjson::dom::element> root = ParseRoot(text);
  if (!root.has_value()) {
    return ParseThroughNlohmann(text);
  }
  return RootObject(*root);
}

Result<simdjson::dom::object> EventJson::ParseWithSimdjsonOnly(
    std::string_view text) {
  DUET_ASSIGN_OR_RETURN(const simdjson::dom::element root, ParseRoot(text));
  return RootObject(root);
}

Result<simdjson::dom::element> EventJson::ParseRoot(std::string_view text) {
  ReleaseParser();
  if (text.empty()) {
    return Error(InvalidArgument("malformed JSON"));  // and data() may be null
  }
  simdjson::dom::parser& parser = AcquireParser(text.size());
  simdjson::dom::element root;
  // This overload copies `text` into the parser's padded buffer, which is
  // kept between calls: simdjson reads a little past the end of its input.
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    return Error(InvalidArgument("malformed JSON"));
  }
  return root;
}

// The slow path for text simdjson refused: nlohmann decides whether it is
// JSON (so the answer is ParseJsonObject's), and what it accepted is written
// out in a form simdjson reads the same way.
Result<simdjson::dom::object> EventJson::ParseThroughNlohmann(
    std::string_view text) {
  const Json parsed = Json::parse(text, /*cb=*/nullptr,
                                  /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Error(InvalidArgument("malformed JSON"));
  }
  if (!parsed.is_object()) {
    return Error(InvalidArgument("not a JSON object"));
  }
  ReleaseParser();
  // Strings nlohmann parsed are valid UTF-8, so "replace" changes nothing;
  // it only rules out an exception.
  rewritten_text_ = parsed.dump(-1, ' ', false, Json::error_handler_t::replace);
  own_parser_ = std::make_unique<simdjson::dom::parser>();
  const size_t depth =
      std::max(simdjson::DEFAULT_MAX_DEPTH, NestingDepth(rewritten_text_));
  simdjson::dom::element root;
  if (own_parser_->allocate(rewritten_text_.size(), depth) !=
          simdjson::SUCCESS ||
      own_parser_->parse(rewritten_text_.data(), rewritten_text_.size())
              .get(root) != simdjson::SUCCESS) {
    return Error(InvalidArgument("malformed JSON"));
  }
  return RootObject(root);
}

simdjson::dom::parser& EventJson::AcquireParser(size_t text_size) {
  SharedParser& shared = ThisThreadsParser();
  if (text_size <= kSharedParserBytes && !shared.in_use) {
    shared.in_use = true;
    holds_shared_parser_ = true;
    return shared.parser;
  }
  own_parser_ = std::make_unique<simdjson::dom::parser>();
  return *own_parser_;
}

void EventJson::ReleaseParser() {
  if (holds_shared_parser_) {
    ThisThreadsParser().in_use = false;
    holds_shared_parser_ = false;
  }
  own_parser_.reset();
  rewritten_text_.clear();
}

std::optional<simdjson::dom::element> FindMember(simdjson::dom::object object,
                                                 std::string_view key) {
  // Scans every member rather than stopping at the first match: nlohmann
  // keeps the last value of a repeated key, and so must this.
  std::optional<simdjson::dom::element> found;
  for (simdjson::dom::key_value_pair member : object) {
    if (member.key == key) {
      found = member.value;
    }
  }
  if (found && found->is_null()) {
    return std::nullopt;
  }
  return found;
}

std::optional<simdjson::dom::object> FindObject(simdjson::dom::object object,
                                                std::string_view key) {
  simdjson::dom::object member;
  if (std::optional<simdjson::dom::element> value = FindMember(object, key);
      value && value->get_object().get(member) == simdjson::SUCCESS) {
    return member;
  }
  return std::nullopt;
}

std::optional<simdjson::dom::array> FindArray(simdjson::dom::object object,
                                              std::string_view key) {
  simdjson::dom::array member;
  if (std::optional<simdjson::dom::element> value = FindMember(object, key);
      value && value->get_array().get(member) == simdjson::SUCCESS) {
    return member;
  }
  return std::nullopt;
}

std::optional<std::string_view> StringIfPresent(simdjson::dom::object object,
                                                std::string_view key) {
  std::string_view text;
  if (std::optional<simdjson::dom::element> value = FindMember(object, key);
      value && value->get_string().get(text) == simdjson::SUCCESS) {
    return text;
  }
  return std::nullopt;
}

std::string_view StringOrEmpty(simdjson::dom::object object,
                               std::string_view key) {
  return StringIfPresent(object, key).value_or(std::string_view());
}

std::optional<int64_t> IntIfPresent(simdjson::dom::object object,
                                    std::string_view key) {
  const std::optional<simdjson::dom::element> value = FindMember(object, key);
  return value ? IntOf(*value) : std::nullopt;
}

std::optional<int64_t> TokenCountOf(simdjson::dom::element value) {
  const std::optional<int64_t> count = IntOf(value);
  if (!count || *count < 0 || *count > kMaxUpstreamTokenCount) {
    return std::nullopt;
  }
  return count;
}

std::optional<int64_t> TokenCountIfPresent(simdjson::dom::object object,
                                           std::string_view key) {
  const std::optional<simdjson::dom::element> value = FindMember(object, key);
  return value ? TokenCountOf(*value) : std::nullopt;
}

std::optional<int64_t> IntOf(simdjson::dom::element value) {
  // simdjson types a non-negative integer int64 when it fits and uint64
  // only above INT64_MAX; nlohmann's get<int64_t>() wraps those around, and
  // C++20 defines the conversion below to do the same.
  int64_t signed_number = 0;
  uint64_t unsigned_number = 0;
  if (value.get_int64().get(signed_number) == simdjson::SUCCESS) {
    return signed_number;
  }
  if (value.get_uint64().get(unsigned_number) == simdjson::SUCCESS) {
    return static_cast<int64_t>(unsigned_number);
  }
  return std::nullopt;
}

std::optional<double> NumberIfPresent(simdjson::dom::object object,
                                      std::string_view key) {
  double number = 0;
  if (std::optional<simdjson::dom::element> value = FindMember(object, key);
      value && value->get_double().get(number) == simdjson::SUCCESS) {
    return number;
  }
  return std::nullopt;
}

}  // namespace duet::wire
