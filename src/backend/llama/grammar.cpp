#include "backend/llama/grammar.h"

#include <exception>

#include "json-schema-to-grammar.h"  // llama.cpp common

namespace duet::llama {

Result<std::optional<std::string>> GrammarFor(
    const std::optional<ResponseFormat>& format) {
  if (!format || format->kind == ResponseFormat::Kind::kText) {
    return std::optional<std::string>();
  }
  const std::string schema =
      format->kind == ResponseFormat::Kind::kJsonObject || format->schema.empty()
          ? std::string(R"({"type":"object"})")
          : format->schema.text;
  try {
    return std::optional<std::string>(
        json_schema_to_grammar(common_json::parse(schema)));
  } catch (const std::exception& error) {
    return Error(InvalidArgument(
        std::string("response_format: the local engine cannot enforce this "
                    "JSON schema: ") +
        error.what()));
  }
}

}  // namespace duet::llama
