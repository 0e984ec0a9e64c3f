#include "core/policy_config.h"

#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "core/policy_config_toml.h"

namespace duet {
namespace {

Status PolicyKeyError(std::string_view source, std::string_view key,
                      std::string_view reason) {
  return InvalidArgument(std::string(source) + ": " + std::string(key) + ": " +
                         std::string(reason));
}

Status ReadString(const toml::node& node, std::string_view source,
                  std::string_view key, std::string* out) {
  const auto* text = node.as_string();
  if (text == nullptr) {
    return PolicyKeyError(source, key, "expected a string");
  }
  *out = text->get();
  return Status::Ok();
}

Status ReadChoice(const toml::node& node, std::string_view source,
                  std::string_view key, std::initializer_list<std::string_view> choices,
                  std::string* out) {
  std::string value;
  DUET_RETURN_IF_ERROR(ReadString(node, source, key, &value));
  for (std::string_view choice : choices) {
    if (value == choice) {
      *out = value;
      return Status::Ok();
    }
  }
  std::string expected;
  for (std::string_view choice : choices) {
    expected += expected.empty() ? "" : ", ";
    expected += choice;
  }
  return PolicyKeyError(source, key, "'" + value + "' is not one of " + expected);
}

Status ReadInt(const toml::node& node, std::string_view source,
               std::string_view key, int64_t min, int64_t max, int64_t* out) {
  const auto* number = node.as_integer();
  if (number == nullptr || number->get() < min || number->get() > max) {
    return PolicyKeyError(source, key,
                          "expected an integer in [" + std::to_string(min) +
                              ", " + std::to_string(max) + "]");
  }
  *out = number->get();
  return Status::Ok();
}

Status ReadMoney(const toml::node& node, std::string_view source,
                 std::string_view key, double* out) {
  const std::optional<double> value = node.value<double>();
  if (!value || !std::isfinite(*value) || *value < 0) {
    return PolicyKeyError(source, key, "expected a number of US dollars >= 0");
  }
  *out = *value;
  return Status::Ok();
}

Status ReadFraction(const toml::node& node, std::string_view source,
                    std::string_view key, double* out) {
  const std::optional<double> value = node.value<double>();
  if (!value || !std::isfinite(*value) || *value < 0 || *value > 1) {
    return PolicyKeyError(source, key, "expected a number from 0 to 1");
  }
  *out = *value;
  return Status::Ok();
}

Status ReadBool(const toml::node& node, std::string_view source,
                std::string_view key, bool* out) {
  const auto* value = node.as_boolean();
  if (value == nullptr) {
    return PolicyKeyError(source, key, "expected true or false");
  }
  *out = value->get();
  return Status::Ok();
}

Status ReadStrings(const toml::node& node, std::string_view source,
                   std::string_view key, std::vector<std::string>* out) {
  const auto* list = node.as_array();
  if (list == nullptr) {
    return PolicyKeyError(source, key, "expected an array of strings");
  }
  out->clear();
  for (const toml::node& item : *list) {
    const auto* text = item.as_string();
    if (text == nullptr || text->get().empty()) {
      return PolicyKeyError(source, key, "expected an array of non-empty strings");
    }
    out->push_back(text->get());
  }
  return Status::Ok();
}

const toml::table* Table(const toml::node& node) { return node.as_table(); }

Status ReadStringMap(const toml::node& node, std::string_view source,
                     std::string_view key, std::map<std::string, std::string>* out) {
  const toml::table* table = Table(node);
  if (table == nullptr) {
    return PolicyKeyError(source, key, "expected a table of names to strings");
  }
  for (const auto& [name, value] : *table) {
    const std::string full = std::string(key) + "." + std::string(name.str());
    DUET_RETURN_IF_ERROR(ReadString(value, source, full, &(*out)[std::string(name.str())]));
  }
  return Status::Ok();
}

Status ReadBudget(const toml::node& node, std::string_view source,
                  std::string_view key, BudgetLimitConfig* out) {
  const toml::table* table = Table(node);
  if (table == nullptr) {
    return PolicyKeyError(source, key, "expected a table with monthly_usd / daily_usd");
  }
  for (const auto& [name, value] : *table) {
    const std::string full = std::string(key) + "." + std::string(name.str());
    if (name.str() == "monthly_usd") {
      DUET_RETURN_IF_ERROR(ReadMoney(value, source, full, &out->monthly_usd));
    } else if (name.str() == "daily_usd") {
      DUET_RETURN_IF_ERROR(ReadMoney(value, source, full, &out->daily_usd));
    } else {
      return PolicyKeyError(source, full, "unknown key (monthly_usd, daily_usd)");
    }
  }
  return Status::Ok();
}

Status ReadTask(const toml::node& node, std::string_view source,
                std::string_view key, TaskPolicy* out) {
  const toml::table* table = Table(node);
  if (table == nullptr) {
    return PolicyKeyError(source, key,
                          "expected { route = ..., local = ..., cloud = ..., thinking = ... }");
  }
  for (const auto& [name, value] : *table) {
    const std::string full = std::string(key) + "." + std::string(name.str());
    if (name.str() == "route") {
      DUET_RETURN_IF_ERROR(
          ReadChoice(value, source, full, {"local", "cloud", "either"}, &out->route));
    } else if (name.str() == "local") {
      DUET_RETURN_IF_ERROR(ReadString(value, source, full, &out->local_role));
    } else if (name.str() == "cloud") {
      DUET_RETURN_IF_ERROR(ReadString(value, source, full, &out->cloud_tier));
    } else if (name.str() == "thinking") {
      DUET_RETURN_IF_ERROR(ReadBool(value, source, full, &out->thinking));
    } else {
      return PolicyKeyError(source, full, "unknown key (route, local, cloud, thinking)");
    }
  }
  return Status::Ok();
}

Status ApplySensitive(const toml::table& table, std::string_view source,
                      PolicyConfig* policy) {
  for (const auto& [name, value] : table) {
    const std::string key = "policy.sensitive." + std::string(name.str());
    if (name.str() == "words") {
      DUET_RETURN_IF_ERROR(ReadStrings(value, source, key, &policy->sensitive_words));
    } else if (name.str() == "patterns") {
      DUET_RETURN_IF_ERROR(ReadStrings(value, source, key, &policy->sensitive_patterns));
    } else if (name.str() == "allow") {
      DUET_RETURN_IF_ERROR(ReadStrings(value, source, key, &policy->sensitive_allow));
    } else if (name.str() == "local_only_keys") {
      DUET_RETURN_IF_ERROR(ReadStrings(value, source, key, &policy->local_only_keys));
    } else {
      return PolicyKeyError(source, key,
                            "unknown key (words, patterns, allow, local_only_keys)");
    }
  }
  return Status::Ok();
}

Status ApplyEscalation(const toml::table& table, std::string_view source,
                       EscalationConfig* escalation) {
  for (const auto& [name, value] : table) {
    const std::string key = "policy.escalation." + std::string(name.str());
    if (name.str() == "enabled") {
      DUET_RETURN_IF_ERROR(ReadBool(value, source, key, &escalation->enabled));
    } else if (name.str() == "tasks") {
      DUET_RETURN_IF_ERROR(ReadStrings(value, source, key, &escalation->tasks));
    } else if (name.str() == "checks") {
      DUET_RETURN_IF_ERROR(ReadStrings(value, source, key, &escalation->checks));
    } else if (name.str() == "truncated_budget_tokens") {
      DUET_RETURN_IF_ERROR(ReadInt(value, source, key, 0, 10'000'000,
                                   &escalation->truncated_budget_tokens));
    } else if (name.str() == "stream_hold_ms") {
      DUET_RETURN_IF_ERROR(
          ReadInt(value, source, key, 0, 600'000, &escalation->stream_hold_ms));
    } else if (name.str() == "tier") {
      DUET_RETURN_IF_ERROR(ReadString(value, source, key, &escalation->tier));
    } else if (name.str() == "self_check") {
      DUET_RETURN_IF_ERROR(ReadBool(value, source, key, &escalation->self_check));
    } else if (name.str() == "self_check_threshold") {
      DUET_RETURN_IF_ERROR(
          ReadInt(value, source, key, 0, 10, &escalation->self_check_threshold));
    } else if (name.str() == "min_mean_logprob") {
      const std::optional<double> logprob = value.value<double>();
      if (!logprob || !std::isfinite(*logprob) || *logprob > 0 || *logprob < -100) {
        return PolicyKeyError(source, key, "expected a log-probability from -100 to 0");
      }
      escalation->min_mean_logprob = *logprob;
    } else {
      return PolicyKeyError(source, key,
                            "unknown key (enabled, tasks, checks, truncated_budget_tokens, "
                            "stream_hold_ms, tier, self_check, self_check_threshold, "
                            "min_mean_logprob)");
    }
  }
  return Status::Ok();
}

Status ApplyPolish(const toml::table& table, std::string_view source, PolishConfig* polish) {
  for (const auto& [name, value] : table) {
    const std::string key = "policy.polish." + std::string(name.str());
    if (name.str() == "tier") {
      DUET_RETURN_IF_ERROR(ReadString(value, source, key, &polish->tier));
    } else if (name.str() == "review") {
      DUET_RETURN_IF_ERROR(ReadBool(value, source, key, &polish->review));
    } else {
      return PolicyKeyError(source, key, "unknown key (tier, review)");
    }
  }
  return Status::Ok();
}

Status ApplyShadow(const toml::table& table, std::string_view source, ShadowConfig* shadow) {
  for (const auto& [name, value] : table) {
    const std::string key = "policy.shadow." + std::string(name.str());
    if (name.str() == "enabled") {
      DUET_RETURN_IF_ERROR(ReadBool(value, source, key, &shadow->enabled));
    } else if (name.str() == "sample_rate") {
      DUET_RETURN_IF_ERROR(ReadFraction(value, source, key, &shadow->sample_rate));
    } else if (name.str() == "tasks") {
      DUET_RETURN_IF_ERROR(ReadStrings(value, source, key, &shadow->tasks));
    } else if (name.str() == "tier") {
      DUET_RETURN_IF_ERROR(ReadString(value, source, key, &shadow->tier));
    } else if (name.str() == "judge") {
      DUET_RETURN_IF_ERROR(ReadString(value, source, key, &shadow->judge));
    } else if (name.str() == "monthly_usd") {
      DUET_RETURN_IF_ERROR(ReadMoney(value, source, key, &shadow->monthly_usd));
    } else if (name.str() == "max_in_flight") {
      DUET_RETURN_IF_ERROR(ReadInt(value, source, key, 1, 64, &shadow->max_in_flight));
    } else {
      return PolicyKeyError(source, key,
                            "unknown key (enabled, sample_rate, tasks, tier, judge, "
                            "monthly_usd, max_in_flight)");
    }
  }
  return Status::Ok();
}

Status ApplyBudgets(const toml::table& table, std::string_view source,
                    PolicyConfig* policy) {
  for (const auto& [name, value] : table) {
    const std::string key = "policy.budget." + std::string(name.str());
    if (name.str() == "monthly_usd") {
      DUET_RETURN_IF_ERROR(ReadMoney(value, source, key, &policy->budget.monthly_usd));
    } else if (name.str() == "daily_usd") {
      DUET_RETURN_IF_ERROR(ReadMoney(value, source, key, &policy->budget.daily_usd));
    } else if (name.str() == "per_key") {
      DUET_RETURN_IF_ERROR(ReadBudget(value, source, key, &policy->key_budget));
    } else if (name.str() == "keys") {
      const toml::table* keys = Table(value);
      if (keys == nullptr) {
        return PolicyKeyError(source, key, "expected [policy.budget.keys.KEY_ID] tables");
      }
      for (const auto& [key_id, limits] : *keys) {
        DUET_RETURN_IF_ERROR(ReadBudget(limits, source, key + "." + std::string(key_id.str()),
                                        &policy->key_budgets[std::string(key_id.str())]));
      }
    } else {
      return PolicyKeyError(source, key,
                            "unknown key (monthly_usd, daily_usd, per_key, keys)");
    }
  }
  return Status::Ok();
}

}  // namespace

bool PolicyConfig::HasSpendCaps() const {
  const auto caps = [](const BudgetLimitConfig& limit) {
    return limit.monthly_usd > 0 || limit.daily_usd > 0;
  };
  if (caps(budget) || caps(key_budget) || (shadow.enabled && shadow.monthly_usd > 0)) {
    return true;
  }
  for (const auto& [key, limit] : key_budgets) {
    if (caps(limit)) {
      return true;
    }
  }
  return false;
}

std::map<std::string, TaskPolicy> PolicyConfig::DefaultTaskPolicies() {
  // policy.md §2. Cloud tiers: Sonnet where the guide sends work to
  // Claude, Haiku where a local-first task ends up in the cloud anyway.
  const auto local = [](std::string role) {
    return TaskPolicy{.route = "local", .local_role = std::move(role)};
  };
  const auto either = [](std::string role) {
    return TaskPolicy{.route = "either", .local_role = std::move(role)};
  };
  const auto cloud = [](std::string role) {
    return TaskPolicy{.route = "cloud", .local_role = std::move(role),
                      .cloud_tier = "sonnet"};
  };
  return {
      {"code_completion", local("coding")},
      {"explain_code", either("coding")},
      {"debug_simple", local("coding")},
      {"debug_complex", cloud("coding")},
      {"code_review", cloud("coding")},
      {"refactoring", local("coding")},
      {"first_draft", local("general")},
      {"brainstorming", local("general")},
      {"editing", either("general")},
      {"long_form", cloud("general")},
      {"technical_writing", local("general")},
      {"marketing_copy", cloud("general")},
      {"summarization", local("general")},
      {"short_document_analysis", local("general")},
      {"long_document_analysis", cloud("general")},
      {"multi_document_synthesis", cloud("general")},
      {"data_extraction", local("general")},
      {"general_qa", local("general")},
      {"personal_assistant", local("general")},
      {"customer_support", local("general")},
      {"complex_research", cloud("reasoning")},
      {"math", TaskPolicy{.route = "local", .local_role = "reasoning",
                          .thinking = true}},
      {"multi_constraint", cloud("general")},
  };
}

Status ApplyPolicyTable(const toml::table& table, std::string_view source,
                        PolicyConfig* policy) {
  for (const auto& [name_key, value] : table) {
    const std::string name(name_key.str());
    const std::string key = "policy." + name;
    if (name == "mode") {
      DUET_RETURN_IF_ERROR(
          ReadChoice(value, source, key, {"auto", "local-only"}, &policy->mode));
    } else if (name == "either") {
      DUET_RETURN_IF_ERROR(ReadChoice(value, source, key, {"local", "cloud"}, &policy->either));
    } else if (name == "long_context_tokens") {
      DUET_RETURN_IF_ERROR(ReadInt(value, source, key, 1, 100'000'000,
                                   &policy->long_context_tokens));
    } else if (name == "default_local_context") {
      DUET_RETURN_IF_ERROR(ReadInt(value, source, key, 1, 100'000'000,
                                   &policy->default_local_context));
    } else if (name == "constraint_threshold") {
      DUET_RETURN_IF_ERROR(ReadInt(value, source, key, 1, 1000,
                                   &policy->constraint_threshold));
    } else if (name == "overflow_to_cloud") {
      DUET_RETURN_IF_ERROR(ReadBool(value, source, key, &policy->overflow_to_cloud));
    } else if (name == "default_cloud_tier") {
      DUET_RETURN_IF_ERROR(ReadString(value, source, key, &policy->default_cloud_tier));
    } else if (name == "expected_output_tokens") {
      DUET_RETURN_IF_ERROR(ReadInt(value, source, key, 1, 10'000'000,
                                   &policy->expected_output_tokens));
    } else if (name == "local_models") {
      DUET_RETURN_IF_ERROR(ReadStringMap(value, source, key, &policy->local_models));
    } else if (name == "claude_models") {
      DUET_RETURN_IF_ERROR(ReadStringMap(value, source, key, &policy->claude_models));
    } else if (name == "tasks") {
      const toml::table* tasks = Table(value);
      if (tasks == nullptr) {
        return PolicyKeyError(source, key, "expected a table of task names");
      }
      for (const auto& [task, rule] : *tasks) {
        DUET_RETURN_IF_ERROR(ReadTask(rule, source, key + "." + std::string(task.str()),
                                      &policy->tasks[std::string(task.str())]));
      }
    } else if (name == "sensitive") {
      const toml::table* sensitive = Table(value);
      if (sensitive == nullptr) {
        return PolicyKeyError(source, key, "expected a table");
      }
      DUET_RETURN_IF_ERROR(ApplySensitive(*sensitive, source, policy));
    } else if (name == "budget") {
      const toml::table* budget = Table(value);
      if (budget == nullptr) {
        return PolicyKeyError(source, key, "expected a table");
      }
      DUET_RETURN_IF_ERROR(ApplyBudgets(*budget, source, policy));
    } else if (name == "polish") {
      const toml::table* polish = Table(value);
      if (polish == nullptr) {
        return PolicyKeyError(source, key, "expected a table");
      }
      DUET_RETURN_IF_ERROR(ApplyPolish(*polish, source, &policy->polish));
    } else if (name == "shadow") {
      const toml::table* shadow = Table(value);
      if (shadow == nullptr) {
        return PolicyKeyError(source, key, "expected a table");
      }
      DUET_RETURN_IF_ERROR(ApplyShadow(*shadow, source, &policy->shadow));
    } else if (name == "escalation") {
      const toml::table* escalation = Table(value);
      if (escalation == nullptr) {
        return PolicyKeyError(source, key, "expected a table");
      }
      DUET_RETURN_IF_ERROR(ApplyEscalation(*escalation, source, &policy->escalation));
    } else {
      return PolicyKeyError(source, key, "unknown key (see docs/routing.md)");
    }
  }
  return Status::Ok();
}

namespace {

std::string Quoted(std::string_view text) {
  std::ostringstream out;
  out << toml::value<std::string>(std::string(text));
  return out.str();
}

std::string QuotedList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) {
    out += out.size() > 1 ? ", " : "";
    out += Quoted(item);
  }
  return out + "]";
}

// The shortest text that reads back as `value`, always a TOML float
// ("0.05", "5.0").
std::string Decimal(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) {
    text += ".0";
  }
  return text;
}

}  // namespace

std::string PolicyToToml(const PolicyConfig& policy) {
  std::ostringstream out;
  out << "\n[policy]\nmode = " << Quoted(policy.mode)
      << "\neither = " << Quoted(policy.either)
      << "\nlong_context_tokens = " << policy.long_context_tokens
      << "\ndefault_local_context = " << policy.default_local_context
      << "\nconstraint_threshold = " << policy.constraint_threshold
      << "\noverflow_to_cloud = " << (policy.overflow_to_cloud ? "true" : "false")
      << "\ndefault_cloud_tier = " << Quoted(policy.default_cloud_tier)
      << "\nexpected_output_tokens = " << policy.expected_output_tokens << "\n";
  out << "\n[policy.local_models]\n";
  for (const auto& [role, model] : policy.local_models) {
    out << role << " = " << Quoted(model) << "\n";
  }
  out << "\n[policy.claude_models]\n";
  for (const auto& [tier, model] : policy.claude_models) {
    out << tier << " = " << Quoted(model) << "\n";
  }
  out << "\n[policy.tasks]\n";
  for (const auto& [task, rule] : policy.tasks) {
    out << task << " = { route = " << Quoted(rule.route)
        << ", local = " << Quoted(rule.local_role)
        << ", cloud = " << Quoted(rule.cloud_tier)
        << ", thinking = " << (rule.thinking ? "true" : "false") << " }\n";
  }
  out << "\n[policy.sensitive]\nwords = " << QuotedList(policy.sensitive_words)
      << "\npatterns = " << QuotedList(policy.sensitive_patterns)
      << "\nallow = " << QuotedList(policy.sensitive_allow)
      << "\nlocal_only_keys = " << QuotedList(policy.local_only_keys) << "\n";
  out << "\n[policy.budget]\nmonthly_usd = " << Decimal(policy.budget.monthly_usd)
      << "\ndaily_usd = " << Decimal(policy.budget.daily_usd)
      << "\nper_key = { monthly_usd = " << Decimal(policy.key_budget.monthly_usd)
      << ", daily_usd = " << Decimal(policy.key_budget.daily_usd) << " }\n";
  for (const auto& [key_id, limits] : policy.key_budgets) {
    out << "\n[policy.budget.keys." << Quoted(key_id) << "]\nmonthly_usd = "
        << Decimal(limits.monthly_usd) << "\ndaily_usd = " << Decimal(limits.daily_usd)
        << "\n";
  }
  const EscalationConfig& escalation = policy.escalation;
  out << "\n[policy.escalation]\nenabled = " << (escalation.enabled ? "true" : "false")
      << "\ntasks = " << QuotedList(escalation.tasks)
      << "\nchecks = " << QuotedList(escalation.checks)
      << "\ntruncated_budget_tokens = " << escalation.truncated_budget_tokens
      << "\nstream_hold_ms = " << escalation.stream_hold_ms
      << "\ntier = " << Quoted(escalation.tier)
      << "\nself_check = " << (escalation.self_check ? "true" : "false")
      << "\nself_check_threshold = " << escalation.self_check_threshold
      << "\nmin_mean_logprob = " << Decimal(escalation.min_mean_logprob) << "\n";
  out << "\n[policy.polish]\ntier = " << Quoted(policy.polish.tier)
      << "\nreview = " << (policy.polish.review ? "true" : "false") << "\n";
  const ShadowConfig& shadow = policy.shadow;
  out << "\n[policy.shadow]\nenabled = " << (shadow.enabled ? "true" : "false")
      << "\nsample_rate = " << Decimal(shadow.sample_rate)
      << "\ntasks = " << QuotedList(shadow.tasks) << "\ntier = " << Quoted(shadow.tier)
      << "\njudge = " << Quoted(shadow.judge) << "\nmonthly_usd = " << Decimal(shadow.monthly_usd)
      << "\nmax_in_flight = " << shadow.max_in_flight << "\n";
  return out.str();
}

}  // namespace duet
