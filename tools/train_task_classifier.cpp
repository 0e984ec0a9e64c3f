// train_task_classifier: fits duet's task classifier to the routing corpus.
//
//   train_task_classifier --out task_model.bin data/routing/corpus/*.jsonl
//   train_task_classifier --report docs/classifier-report.md --no-model ...
//
// With --report (or --evaluate) it first trains on four fifths of the
// corpus and measures accuracy per task on the held-out fifth (IsHeldOut:
// chosen by a hash of each id), then, for --out, trains the shipped model
// on everything. The build runs it with --out only.
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/policy_config.h"
#include "model/text_size.h"
#include "route/classify/corpus.h"
#include "route/classify/training.h"

namespace duet {
namespace {

// Tokens of an entry's whole request: the prompt plus its pasted
// document, at the estimate duet uses everywhere (4 characters a token).
int64_t RequestTokens(const CorpusEntry& entry) {
  return static_cast<int64_t>((CountChars(entry.prompt) +
                               static_cast<size_t>(entry.pad_chars) + 3) / 4);
}

TrainingExample ToExample(const CorpusEntry& entry) {
  return {.text = entry.prompt,
          .request_tokens = RequestTokens(entry),
          .kind = entry.kind};
}

std::string Percent(int64_t part, int64_t whole) {
  return whole == 0 ? "-" : fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) /
                                                        static_cast<double>(whole));
}

std::string Report(const Evaluation& evaluation, size_t train_size,
                   const std::vector<CorpusEntry>& held_out) {
  std::string out;
  out += "# Task classifier: held-out accuracy\n\n";
  out += fmt::format(
      "Trained on {} corpus entries, evaluated on the {} held out (a fifth, "
      "chosen by a hash of each id). Overall accuracy: **{}** ({} of {}).\n\n",
      train_size, held_out.size(), Percent(evaluation.correct, evaluation.total),
      evaluation.correct, evaluation.total);
  out += "| task | held out | correct | accuracy | most common mistake |\n";
  out += "|---|---|---|---|---|\n";
  for (TaskKind kind : AllTaskKinds()) {
    const auto k = static_cast<size_t>(kind);
    size_t worst = k;
    int64_t worst_count = 0;
    for (size_t p = 0; p < kTaskKindCount; ++p) {
      if (p != k && evaluation.confusion[k][p] > worst_count) {
        worst = p;
        worst_count = evaluation.confusion[k][p];
      }
    }
    out += fmt::format(
        "| {} | {} | {} | {} | {} |\n", TaskKindName(kind),
        evaluation.per_kind_total[k], evaluation.per_kind_correct[k],
        Percent(evaluation.per_kind_correct[k], evaluation.per_kind_total[k]),
        worst == k ? std::string("-")
                   : fmt::format("{} ({})", TaskKindName(static_cast<TaskKind>(worst)),
                                 worst_count));
  }
  return out;
}

// How often the predicted task goes to the same side as the true one under
// the default task table ("either" counts as local, as routed): a wrong
// task on the right side costs nothing.
std::string SideAgreement(const Evaluation& evaluation) {
  const std::map<std::string, TaskPolicy> table = PolicyConfig::DefaultTaskPolicies();
  const auto side = [&](size_t kind) {
    return table.at(std::string(TaskKindName(static_cast<TaskKind>(kind)))).route == "cloud";
  };
  int64_t same = 0;
  for (size_t truth = 0; truth < kTaskKindCount; ++truth) {
    for (size_t predicted = 0; predicted < kTaskKindCount; ++predicted) {
      if (side(truth) == side(predicted)) {
        same += evaluation.confusion[truth][predicted];
      }
    }
  }
  return fmt::format(
      "\nThe predicted task sends the request to the same side (local or Claude) as the "
      "true task for **{}** of the held-out prompts ({} of {}), by the task table alone "
      "(before the size, constraint and sensitive-data rules).\n",
      Percent(same, evaluation.total), same, evaluation.total);
}

// Held-out accuracy per language, as a Markdown table.
std::string LanguageReport(const TaskModel& model,
                           const std::vector<CorpusEntry>& held_out) {
  std::map<std::string, std::vector<TrainingExample>> by_language;
  for (const CorpusEntry& entry : held_out) {
    by_language[entry.lang.empty() ? "?" : entry.lang].push_back(ToExample(entry));
  }
  std::string out = "\n| language | held out | accuracy |\n|---|---|---|\n";
  for (const auto& [language, examples] : by_language) {
    const Evaluation evaluation = EvaluateTaskModel(model, examples);
    out += fmt::format("| {} | {} | {} |\n", language, evaluation.total,
                       Percent(evaluation.correct, evaluation.total));
  }
  return out;
}

int Run(int argc, char** argv) {
  CLI::App app{"Trains duet's task classifier on the routing corpus"};
  std::vector<std::string> corpus_files;
  std::string out_path;
  std::string report_path;
  bool evaluate = false;
  TrainingOptions options;
  app.add_option("corpus", corpus_files, "corpus JSONL files")->required();
  app.add_option("--out", out_path, "write the model trained on the whole corpus");
  app.add_option("--report", report_path, "write the held-out report (Markdown)");
  app.add_flag("--evaluate", evaluate, "print the held-out accuracy");
  app.add_option("--epochs", options.epochs, "passes over the corpus");
  app.add_option("--learning-rate", options.learning_rate, "initial SGD step");
  app.add_option("--l2", options.l2, "weight decay");
  CLI11_PARSE(app, argc, argv);

  std::vector<CorpusEntry> entries;
  for (const std::string& path : corpus_files) {
    Result<std::vector<CorpusEntry>> file = ReadCorpusFile(path);
    if (!file) {
      std::fprintf(stderr, "train_task_classifier: %s\n",
                   file.error().ToString().c_str());
      return 1;
    }
    entries.insert(entries.end(), file->begin(), file->end());
  }

  if (evaluate || !report_path.empty()) {
    std::vector<TrainingExample> train;
    std::vector<TrainingExample> test;
    std::vector<CorpusEntry> held_out;
    for (const CorpusEntry& entry : entries) {
      if (IsHeldOut(entry.id)) {
        test.push_back(ToExample(entry));
        held_out.push_back(entry);
      } else {
        train.push_back(ToExample(entry));
      }
    }
    const TaskModel model = TrainTaskModel(train, options);
    const Evaluation evaluation = EvaluateTaskModel(model, test);
    const std::string report = Report(evaluation, train.size(), held_out) +
                               SideAgreement(evaluation) + LanguageReport(model, held_out);
    std::fputs(report.c_str(), stdout);
    if (!report_path.empty()) {
      std::ofstream(report_path, std::ios::binary) << report;
    }
  }

  if (!out_path.empty()) {
    std::vector<TrainingExample> all;
    all.reserve(entries.size());
    for (const CorpusEntry& entry : entries) {
      all.push_back(ToExample(entry));
    }
    const std::string bytes = TrainTaskModel(all, options).ToBytes();
    const std::string temporary = out_path + ".tmp";
    std::ofstream file(temporary, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file || std::rename(temporary.c_str(), out_path.c_str()) != 0) {
      std::fprintf(stderr, "train_task_classifier: cannot write %s\n",
                   out_path.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace duet

int main(int argc, char** argv) { return duet::Run(argc, argv); }
