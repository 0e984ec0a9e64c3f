// ClaudeCatalog: the Claude models duet knows, as configuration data
// (config/claude-models.toml, built in; anthropic.catalog_file replaces it).
// The Anthropic backend uses it to shape requests per model, the router
// for tiers and context windows, the ledger and the planner for prices.
//
// Retired models stay in the catalogue for their prices (the planner, old
// ledger rows) but are never sent: code that decides what Claude serves
// asks FindSendable, code that only needs a price asks Find.
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
  // Anthropic no longer serves it: priced, never sent, never listed.
  bool retired = false;
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

  // The model with this id or alias, retired or not; nullptr when unknown.
  // For prices and descriptions; use FindSendable before sending.
  const ClaudeModel* Find(std::string_view id_or_alias) const;
  // The model with this id or alias when duet may send requests to it.
  // kNotFound "model: <name>" when unknown; kNotFound "model: <name>:
  // retired; duet does not send requests to it" when retired (<name> as
  // given). The pointer lives as long as the catalogue.
  Result<const ClaudeModel*> FindSendable(std::string_view id_or_alias) const;
  // Every model in file order, retired ones included.
  const std::vector<ClaudeModel>& models() const { return models_; }
  // The share of every price the Message Batches API takes off (0.5:
  // batched requests cost half); in [0, 1).
  double batch_discount() const { return batch_discount_; }

 private:
  std::vector<ClaudeModel> models_;
  double batch_discount_ = 0.5;
};

}  // namespace duet
