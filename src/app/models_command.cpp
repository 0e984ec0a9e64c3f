#include "app/models_command.h"

#include <algorithm>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/json_writer.h"
#include "core/terminal_text.h"
#include "model_files/gguf_info.h"
#include "model_files/progress_meter.h"

namespace duet {
namespace {

using model_files::DiscoveredModel;
using model_files::GgufInfo;

// One listed model: where it is and what its metadata says.
struct Listed {
  DiscoveredModel model;
  std::optional<GgufInfo> info;
  Status problem;  // the entry's own error, else its metadata's
};

std::vector<Listed> Describe(std::vector<DiscoveredModel> models) {
  std::vector<Listed> listed;
  for (DiscoveredModel& model : models) {
    Listed entry;
    entry.problem = model.error;
    if (entry.problem.ok()) {
      Result<GgufInfo> info = model_files::ReadGgufInfo(model.path);
      if (info) {
        entry.info = std::move(*info);
      } else if (info.error().code() != ErrorCode::kUnavailable) {
        // kUnavailable: built without llama.cpp, said once below.
        entry.problem = info.error();
      }
    }
    entry.model = std::move(model);
    listed.push_back(std::move(entry));
  }
  return listed;
}

std::string Cell(const std::string& text) { return text.empty() ? "-" : text; }

void PrintTable(const std::vector<Listed>& listed, std::ostream& out) {
  const bool metadata = model_files::GgufMetadataAvailable();
  const std::vector<std::string> header = {"NAME",   "SOURCE", "SIZE", "QUANT",
                                           "CONTEXT", "FAMILY", "IMAGES", "PATH"};
  std::vector<std::vector<std::string>> rows;
  for (const Listed& entry : listed) {
    std::vector<std::string> row;
    row.push_back(TerminalSafe(entry.model.id));
    row.emplace_back(model_files::ModelSourceName(entry.model.source));
    row.push_back(entry.model.size_bytes >= 0 ? model_files::FormatBytes(
                                                    static_cast<uint64_t>(entry.model.size_bytes))
                                              : "-");
    if (entry.info) {
      row.push_back(Cell(entry.info->quantization));
      row.push_back(entry.info->context_length > 0 ? std::to_string(entry.info->context_length)
                                                   : "-");
      row.push_back(Cell(entry.info->architecture));
    } else {
      const std::string unknown = metadata || !entry.problem.ok() ? "-" : "?";
      row.insert(row.end(), 3, unknown);
    }
    row.emplace_back(entry.model.projector_path.empty() ? "-" : "yes");
    row.push_back(TerminalSafe(entry.model.path));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> widths(header.size());
  for (size_t column = 0; column < header.size(); ++column) {
    widths[column] = header[column].size();
    for (const auto& row : rows) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  const auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t column = 0; column < row.size(); ++column) {
      line += row[column];
      if (column + 1 < row.size()) {
        line.append(widths[column] - row[column].size() + 2, ' ');
      }
    }
    out << line << "\n";
  };
  print_row(header);
  for (size_t i = 0; i < rows.size(); ++i) {
    print_row(rows[i]);
    if (!listed[i].problem.ok()) {
      out << "  error: " << TerminalSafe(listed[i].problem.message()) << "\n";
    }
  }
}

void PrintSearched(const model_files::SearchLocations& where, std::ostream& out) {
  out << "Hugging Face cache: "
      << (where.huggingface_cache.empty() ? "(unknown: set HF_HUB_CACHE or HOME)"
                                          : where.huggingface_cache)
      << "\n";
  out << "Ollama store" << (where.ollama_stores.size() == 1 ? "" : "s") << ": ";
  for (size_t i = 0; i < where.ollama_stores.size(); ++i) {
    out << (i > 0 ? ", " : "") << where.ollama_stores[i];
  }
  out << (where.ollama_stores.empty() ? "(none)" : "") << "\n";
}

void PrintJson(const std::vector<Listed>& listed, const model_files::SearchLocations& where,
               std::ostream& out) {
  std::string json;
  JsonWriter w(&json);
  w.BeginObject();
  w.Key("models");
  w.BeginArray();
  for (const Listed& entry : listed) {
    w.BeginObject();
    w.Field("id", entry.model.id);
    w.Field("source", model_files::ModelSourceName(entry.model.source));
    w.Field("path", entry.model.path);
    w.Key("projector");
    if (entry.model.projector_path.empty()) {
      w.Null();
    } else {
      w.String(entry.model.projector_path);
    }
    w.Key("size_bytes");
    if (entry.model.size_bytes >= 0) {
      w.Int(entry.model.size_bytes);
    } else {
      w.Null();
    }
    if (entry.info) {
      w.Field("family", entry.info->architecture);
      w.Field("name", entry.info->name);
      w.Field("parameter_count", entry.info->parameter_count);
      w.Field("quantization", entry.info->quantization);
      w.Field("context_length", entry.info->context_length);
      w.Field("chat_template", entry.info->has_chat_template);
    }
    w.Key("error");
    if (entry.problem.ok()) {
      w.Null();
    } else {
      w.String(entry.problem.message());
    }
    w.EndObject();
  }
  w.EndArray();
  w.Field("metadata_available", model_files::GgufMetadataAvailable());
  w.Key("searched");
  w.BeginObject();
  w.Field("huggingface", where.huggingface_cache);
  w.Key("ollama");
  w.BeginArray();
  for (const std::string& store : where.ollama_stores) {
    w.String(store);
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  out << json << "\n";
}

}  // namespace

void AddModelsOptions(CLI::App* command, ModelsCommandOptions* options) {
  command->add_flag("--json", options->json, "print one JSON object instead of a table");
}

int RunModelsCommand(const Config& config, const ModelsCommandOptions& options,
                     model_files::DiscoveryOptions discovery, std::ostream& out) {
  discovery.configured = config.models;
  const model_files::SearchLocations where = model_files::Locations(discovery);
  const std::vector<Listed> listed = Describe(model_files::DiscoverModels(discovery));
  if (options.json) {
    PrintJson(listed, where, out);
    return 0;
  }
  if (listed.empty()) {
    out << "No GGUF models found. Pull one with `duet pull ORG/NAME/FILE.gguf`, "
           "or configure one with --model NAME=PATH.\n";
  } else {
    PrintTable(listed, out);
  }
  if (!model_files::GgufMetadataAvailable()) {
    out << "Metadata unavailable: this duet was built without llama.cpp.\n";
  }
  out << "\n";
  PrintSearched(where, out);
  return 0;
}

}  // namespace duet
