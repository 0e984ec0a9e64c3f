#include "route/classify/corpus.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace duet {
namespace {

Status LineError(std::string_view source, int64_t line, std::string_view what) {
  return InvalidArgument(std::string(source) + ":" + std::to_string(line) +
                         ": " + std::string(what));
}

}  // namespace

Result<std::vector<CorpusEntry>> ParseCorpus(std::string_view jsonl,
                                             std::string_view source) {
  std::vector<CorpusEntry> entries;
  int64_t line_number = 0;
  size_t start = 0;
  while (start < jsonl.size()) {
    size_t end = jsonl.find('\n', start);
    if (end == std::string_view::npos) {
      end = jsonl.size();
    }
    const std::string_view line = jsonl.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    const nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    if (!object.is_object()) {
      return Error(LineError(source, line_number, "not a JSON object"));
    }
    CorpusEntry entry;
    entry.id = object.value("id", "");
    entry.lang = object.value("lang", "");
    entry.prompt = object.value("prompt", "");
    entry.expected = object.value("expected", "");
    entry.sensitive = object.value("sensitive", false);
    entry.pad_chars = object.value("pad_chars", int64_t{0});
    const std::string task = object.value("task", "");
    const std::optional<TaskKind> kind = TaskKindFromName(task);
    if (!kind) {
      return Error(LineError(source, line_number, "unknown task '" + task + "'"));
    }
    if (object.value("domain", "") != TaskDomainName(*kind)) {
      return Error(LineError(source, line_number,
                             "task '" + task + "' belongs to domain '" +
                                 std::string(TaskDomainName(*kind)) + "'"));
    }
    if (entry.id.empty() || entry.prompt.empty()) {
      return Error(LineError(source, line_number, "needs an id and a prompt"));
    }
    entry.kind = *kind;
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<CorpusEntry>> ReadCorpusFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Error(NotFound("corpus file " + path + ": cannot open"));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return ParseCorpus(text.str(), path);
}

bool IsHeldOut(std::string_view id) {
  uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a
  for (char c : id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash % 5 == 0;
}

}  // namespace duet
