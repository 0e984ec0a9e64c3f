// The guide's task table as an enumeration: five domains, 22 task kinds,
// plus `multi_constraint` for requests whose difficulty is their many
// interlocking instructions (policy.md §1, §2).
//
// The names are the ones the corpus, the TOML policy and `duet route` use.
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace duet {

enum class TaskKind {
  kCodeCompletion,
  kExplainCode,
  kDebugSimple,
  kDebugComplex,
  kCodeReview,
  kRefactoring,
  kFirstDraft,
  kBrainstorming,
  kEditing,
  kLongForm,
  kTechnicalWriting,
  kMarketingCopy,
  kSummarization,
  kShortDocumentAnalysis,
  kLongDocumentAnalysis,
  kMultiDocumentSynthesis,
  kDataExtraction,
  kGeneralQa,
  kPersonalAssistant,
  kCustomerSupport,
  kComplexResearch,
  kMath,
  kMultiConstraint,
};

inline constexpr int kTaskKindCount = 23;

// Every kind, in enumeration order (the classifier's class order).
const std::array<TaskKind, kTaskKindCount>& AllTaskKinds();

// "code_completion", "multi_constraint"...
std::string_view TaskKindName(TaskKind kind);

// "coding", "writing", "analysis", "chat", "math", "instructions".
std::string_view TaskDomainName(TaskKind kind);

// The kind named `name`, or nullopt.
std::optional<TaskKind> TaskKindFromName(std::string_view name);

}  // namespace duet
