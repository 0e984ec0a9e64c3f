// ClaudeCatalog: the Claude models duet knows, as configuration data
// (config/claude-models.toml, built in; anthropic.catalog_file replaces it).
// The Anthropic backend uses it to shape requests per model, the router
// for tiers and context windows, the ledger for prices.
//
// Thread safety: immutable after loading.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace duet {

struct ClaudeModel {
  std::string id;
  std::vector<std::string> aliases;
  std::string display_name;
  std::string tier;  // "haiku", "sonnet", "opus" or "other"
  int64_t context_window = 200'000;
  int64_t max_output_tokens = 64'000;
  // USD per million tokens.
  double input_price = 0;
  double output_price = 0;
  double cache_write_5m_price = 0;
  double cache_write_1h_price = 0;
  double cache_read_price = 0;
  bool fixed_sampling = false;
  bool adaptive_thinking_only = false;
};

class ClaudeCatalog {
 public:
  ClaudeCatalog() = default;

  // Parses the TOML catalogue format documented in config/claude-models.toml.
  // Fails with kInvalidArgument naming `source_name`, the model and the key.
  static Result<ClaudeCatalog> Parse(std::string_view toml_text,
                                     std::string_view source_name);
  // The built-in catalogue (never fails: a test parses it).
  static const ClaudeCatalog& BuiltIn();
  // The file at `path`, or BuiltIn() when `path` is empty.
  static Result<ClaudeCatalog> Load(const std::string& path);

  // The model with this id or alias; nullptr when unknown.
  const ClaudeModel* Find(std::string_view id_or_alias) const;
  const std::vector<ClaudeModel>& models() const { return models_; }

 private:
  std::vector<ClaudeModel> models_;
};

}  // namespace duet
