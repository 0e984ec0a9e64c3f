#include "model/claude_catalog.h"

#include <fstream>
#include <optional>
#include <sstream>

#include <toml++/toml.h>

#include "model/claude_catalog_data.h"

namespace duet {
namespace {

Status Bad(std::string_view source, std::string_view where,
           std::string_view why) {
  return InvalidArgument(std::string(source) + ": " + std::string(where) +
                         ": " + std::string(why));
}

Result<ClaudeModel> ParseModel(const toml::table& table, size_t index,
                               std::string_view source) {
  ClaudeModel model;
  std::string where = "model " + std::to_string(index + 1);
  const auto* id = table["id"].as_string();
  if (id == nullptr || id->get().empty()) {
    return Error(Bad(source, where + ".id", "required"));
  }
  model.id = id->get();
  where = "model " + model.id;
  for (const auto& [key_node, value] : table) {
    const std::string key(key_node.str());
    auto number = [&](double* out) -> Status {
      if (auto d = value.value<double>(); d && *d >= 0) {
        *out = *d;
        return Status::Ok();
      }
      return Bad(source, where + "." + key, "expected a number >= 0");
    };
    auto integer = [&](int64_t* out) -> Status {
      if (const auto* i = value.as_integer(); i != nullptr && i->get() > 0) {
        *out = i->get();
        return Status::Ok();
      }
      return Bad(source, where + "." + key, "expected an integer > 0");
    };
    auto boolean = [&](bool* out) -> Status {
      if (const auto* b = value.as_boolean(); b != nullptr) {
        *out = b->get();
        return Status::Ok();
      }
      return Bad(source, where + "." + key, "expected true or false");
    };
    auto text = [&](std::string* out) -> Status {
      if (const auto* s = value.as_string(); s != nullptr) {
        *out = s->get();
        return Status::Ok();
      }
      return Bad(source, where + "." + key, "expected a string");
    };
    Status status;
    if (key == "id") {
      continue;
    } else if (key == "aliases") {
      const auto* list = value.as_array();
      if (list == nullptr) {
        return Error(Bad(source, where + ".aliases", "expected an array of strings"));
      }
      for (const toml::node& alias : *list) {
        const auto* name = alias.as_string();
        if (name == nullptr) {
          return Error(Bad(source, where + ".aliases", "expected an array of strings"));
        }
        model.aliases.push_back(name->get());
      }
    } else if (key == "display_name") {
      status = text(&model.display_name);
    } else if (key == "tier") {
      status = text(&model.tier);
      if (status.ok() && model.tier != "haiku" && model.tier != "sonnet" &&
          model.tier != "opus" && model.tier != "other") {
        status = Bad(source, where + ".tier", "expected haiku, sonnet, opus or other");
      }
    } else if (key == "context_window") {
      status = integer(&model.context_window);
    } else if (key == "max_output_tokens") {
      status = integer(&model.max_output_tokens);
    } else if (key == "input") {
      status = number(&model.input_price);
    } else if (key == "output") {
      status = number(&model.output_price);
    } else if (key == "cache_write_5m") {
      status = number(&model.cache_write_5m_price);
    } else if (key == "cache_write_1h") {
      status = number(&model.cache_write_1h_price);
    } else if (key == "cache_read") {
      status = number(&model.cache_read_price);
    } else if (key == "fixed_sampling") {
      status = boolean(&model.fixed_sampling);
    } else if (key == "adaptive_thinking_only") {
      status = boolean(&model.adaptive_thinking_only);
    } else if (key == "retired") {
      status = boolean(&model.retired);
    } else {
      status = Bad(source, where + "." + key, "unknown key");
    }
    DUET_RETURN_IF_ERROR(status);
  }
  if (model.tier.empty()) {
    model.tier = "other";
  }
  if (model.display_name.empty()) {
    model.display_name = model.id;
  }
  return model;
}

}  // namespace

Result<ClaudeCatalog> ClaudeCatalog::Parse(std::string_view toml_text,
                                           std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << source_name << ":" << error.source().begin.line << ": "
            << error.description();
    return Error(InvalidArgument(message.str()));
  }
  ClaudeCatalog catalog;
  for (const auto& [key, value] : root) {
    if (key.str() == "batch_discount") {
      const std::optional<double> discount = value.value<double>();
      if (!discount || *discount < 0 || *discount >= 1) {
        return Error(Bad(source_name, "batch_discount", "expected a number in [0, 1)"));
      }
      catalog.batch_discount_ = *discount;
    } else if (key.str() != "model") {
      return Error(Bad(source_name, key.str(),
                       "unknown key (batch_discount and [[model]] tables only)"));
    }
  }
  const toml::array* models = root["model"].as_array();
  if (models == nullptr) {
    return Error(Bad(source_name, "model", "expected [[model]] tables"));
  }
  for (size_t i = 0; i < models->size(); ++i) {
    const toml::table* table = (*models)[i].as_table();
    if (table == nullptr) {
      return Error(Bad(source_name, "model", "expected [[model]] tables"));
    }
    DUET_ASSIGN_OR_RETURN(ClaudeModel model, ParseModel(*table, i, source_name));
    for (const std::string& name : [&] {
           std::vector<std::string> names = model.aliases;
           names.push_back(model.id);
           return names;
         }()) {
      if (catalog.Find(name) != nullptr) {
        return Error(Bad(source_name, "model " + model.id,
                         "'" + name + "' is listed twice"));
      }
    }
    catalog.models_.push_back(std::move(model));
  }
  return catalog;
}

const ClaudeCatalog& ClaudeCatalog::BuiltIn() {
  static const ClaudeCatalog catalog = [] {
    Result<ClaudeCatalog> parsed =
        Parse(kBuiltInClaudeCatalog, "config/claude-models.toml");
    return parsed ? std::move(*parsed) : ClaudeCatalog();
  }();
  return catalog;
}

Result<ClaudeCatalog> ClaudeCatalog::Load(const std::string& path) {
  if (path.empty()) {
    return BuiltIn();
  }
  std::ifstream file(path);
  if (!file) {
    return Error(NotFound("cannot read the Claude catalogue " + path));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return Parse(text.str(), path);
}

const ClaudeModel* ClaudeCatalog::Find(std::string_view id_or_alias) const {
  for (const ClaudeModel& model : models_) {
    if (model.id == id_or_alias) {
      return &model;
    }
    for (const std::string& alias : model.aliases) {
      if (alias == id_or_alias) {
        return &model;
      }
    }
  }
  return nullptr;
}

Result<const ClaudeModel*> ClaudeCatalog::FindSendable(std::string_view id_or_alias) const {
  const ClaudeModel* model = Find(id_or_alias);
  if (model == nullptr) {
    return Error(NotFound("model: " + std::string(id_or_alias)));
  }
  if (model->retired) {
    return Error(NotFound("model: " + std::string(id_or_alias) +
                          ": retired; duet does not send requests to it"));
  }
  return model;
}

}  // namespace duet
