#include "app/route_command.h"

#include <cmath>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "net/url.h"
#include "route/policy/policy_engine.h"
#include "wire/anthropic/messages_request.h"

namespace duet {
namespace {

using Json = nlohmann::json;
// Output keeps the documented key order ("id" first).
using OrderedJson = nlohmann::ordered_json;

// Neutral document text for pad_chars: a report's prose, repeated.
std::string DocumentPadding(int64_t chars) {
  static constexpr std::string_view kParagraph =
      "The committee reviewed the figures for the period and recorded the "
      "following observations about revenue, costs, staffing and open risks. ";
  std::string padding;
  padding.reserve(static_cast<size_t>(chars) + kParagraph.size());
  padding.push_back('\n');
  while (static_cast<int64_t>(padding.size()) < chars) {
    padding.append(kParagraph);
  }
  padding.resize(static_cast<size_t>(chars));
  return padding;
}

// The backends the configuration describes, as the policy sees them when
// nothing is loaded: every configured local model with the window it
// would get, and Claude up.
RouteTargets ConfiguredTargets(const Config& config, const ClaudeCatalog& catalog) {
  RouteTargets targets;
  for (const LocalModelConfig& model : config.models) {
    // A projector found beside the model is not known here.
    targets.local_models.push_back(
        {model.name, model.context, !model.mmproj.empty() && model.mmproj != "none"});
  }
  targets.cloud_configured = true;
  targets.side_of_model = [&config,
                           &catalog](std::string_view model) -> std::optional<RouteSide> {
    for (const LocalModelConfig& local : config.models) {
      if (local.name == model) {
        return RouteSide::kLocal;
      }
    }
    for (const UpstreamConfig& upstream : config.upstreams) {
      for (const std::string& id : upstream.models) {
        if (id == model) {
          Result<net::Url> url = net::Url::Parse(upstream.base_url);
          const bool loopback = url && net::IsLoopbackHost(url->host);
          return upstream.private_network || loopback ? RouteSide::kLocal : RouteSide::kCloud;
        }
      }
    }
    if (catalog.Find(model) != nullptr) {
      return RouteSide::kCloud;
    }
    return std::nullopt;
  };
  return targets;
}

// Which backend a decision names, for the output's "backend".
std::string BackendName(const Config& config, const RouteDecision& decision) {
  for (const UpstreamConfig& upstream : config.upstreams) {
    for (const std::string& id : upstream.models) {
      if (id == decision.model) {
        return upstream.name;
      }
    }
  }
  return decision.side == RouteSide::kCloud ? "anthropic" : "llama";
}

Result<ChatRequest> RequestFromLine(const Json& line) {
  ChatRequest request;
  if (line.contains("prompt")) {
    if (!line["prompt"].is_string()) {
      return Error(InvalidArgument("prompt: expected a string"));
    }
    std::string text = line["prompt"].get<std::string>();
    request.model = "auto";
    if (line.contains("model") && line["model"].is_string()) {
      request.model = line["model"].get<std::string>();
    }
    if (const auto pad = line.find("pad_chars"); pad != line.end() && pad->is_number_integer() &&
                                                 pad->get<int64_t>() > 0) {
      text += DocumentPadding(std::min<int64_t>(pad->get<int64_t>(), 64 << 20));
    }
    request.messages.push_back({Role::kUser, {ContentBlock::Text(std::move(text))}});
    return request;
  }
  if (!line.contains("messages")) {
    return Error(InvalidArgument("expected \"prompt\" or \"messages\""));
  }
  Json body = line;
  body.erase("id");
  body.erase("pad_chars");
  if (!body.contains("model")) {
    body["model"] = "auto";
  }
  return wire::anthropic::ParseMessagesRequest(body.dump(),
                                               {.require_max_tokens = false});
}

OrderedJson DecisionJson(const Json& id, const Config& config, const RouteDecision& decision) {
  OrderedJson out = OrderedJson::object();
  out["id"] = id;
  out["side"] = RouteSideName(decision.side);
  out["backend"] = BackendName(config, decision);
  out["model"] = decision.model.empty() ? "(first local model)" : decision.model;
  out["domain"] = TaskDomainName(decision.task);
  out["task"] = TaskKindName(decision.task);
  out["sensitive"] = decision.sensitive;
  out["reasons"] = decision.reasons;
  out["rule"] = decision.rule;
  out["confidence"] = std::round(decision.task_confidence * 1000) / 1000;
  out["tokens"] = decision.estimated_tokens;
  out["sensitive_kinds"] = decision.sensitive_kinds;
  if (!decision.escalation_model.empty()) {
    out["escalation"] = decision.escalation_model;
  }
  if (!decision.refusal.ok()) {
    out["refusal"] = decision.refusal.message();
  }
  return out;
}

void Explain(const Config& config, const RouteDecision& decision, std::ostream& out) {
  out << fmt::format("side:        {} ({}, {})\n", RouteSideName(decision.side),
                     BackendName(config, decision),
                     decision.model.empty() ? "first local model" : decision.model);
  out << fmt::format("task:        {}/{} (confidence {:.2f})\n",
                     TaskDomainName(decision.task), TaskKindName(decision.task),
                     decision.task_confidence);
  out << fmt::format("rule:        {}\n", decision.rule);
  for (const std::string& reason : decision.reasons) {
    out << fmt::format("  because    {}\n", reason);
  }
  std::string kinds;
  for (const std::string& kind : decision.sensitive_kinds) {
    kinds += (kinds.empty() ? "" : ", ") + kind;
  }
  out << fmt::format("sensitive:   {}\n", decision.sensitive ? "yes (" + kinds + ")" : "no");
  out << fmt::format("size:        ~{} tokens; constraints {}; complexity {:.2f}\n",
                     decision.estimated_tokens, decision.constraints, decision.complexity);
  if (decision.thinking) {
    out << "thinking:    on (local reasoning mode)\n";
  }
  if (!decision.escalation_model.empty()) {
    out << fmt::format("escalation:  checked; {} answers if the local answer fails\n",
                       decision.escalation_model);
  }
  if (!decision.refusal.ok()) {
    out << fmt::format("refused:     {}\n", decision.refusal.message());
  }
}

}  // namespace

int RunRouteCommand(const Config& config, const RouteCommandOptions& options,
                    std::istream& in, std::ostream& out) {
  SystemClock clock;
  Result<ClaudeCatalog> catalog = ClaudeCatalog::Load(config.anthropic.catalog_file);
  if (!catalog) {
    std::cerr << "duet route: " << catalog.error().message() << "\n";
    return 2;
  }
  Result<std::unique_ptr<PolicyEngine>> engine =
      PolicyEngine::Create(config.policy, &clock, {.catalog = &*catalog});
  if (!engine) {
    std::cerr << "duet route: invalid policy: " << engine.error().message() << "\n";
    return 2;
  }
  const RouteTargets targets = ConfiguredTargets(config, *catalog);

  if (options.jsonl_path.empty()) {
    ChatRequest request;
    request.model = "auto";
    request.messages.push_back({Role::kUser, {ContentBlock::Text(options.prompt)}});
    Explain(config, (*engine)->Decide(request, targets), out);
    return 0;
  }

  std::ifstream file;
  std::istream* input = &in;
  if (options.jsonl_path != "-") {
    file.open(options.jsonl_path, std::ios::binary);
    if (!file) {
      std::cerr << "duet route: cannot open " << options.jsonl_path << "\n";
      return 1;
    }
    input = &file;
  }
  std::string text;
  int64_t line_number = 0;
  while (std::getline(*input, text)) {
    ++line_number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    const Json line = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!line.is_object()) {
      out << OrderedJson{{"id", nullptr},
                         {"error", fmt::format("line {}: not a JSON object", line_number)}}
                 .dump()
          << "\n";
      continue;
    }
    const Json id = line.contains("id") ? line["id"] : Json(nullptr);
    Result<ChatRequest> request = RequestFromLine(line);
    if (!request) {
      out << OrderedJson{{"id", id}, {"error", request.error().message()}}.dump() << "\n";
      continue;
    }
    out << DecisionJson(id, config, (*engine)->Decide(*request, targets)).dump() << "\n";
    out.flush();
  }
  return 0;
}

}  // namespace duet
