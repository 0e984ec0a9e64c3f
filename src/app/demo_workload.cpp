#include "app/demo_workload.h"

#include <utility>

namespace duet {
namespace {

// One prompt per task kind, each checked with `duet route` to land on its
// kind (the classifier is trained on the project's corpus).
struct TaskPrompt {
  const char* label;
  const char* prompt;
};

constexpr TaskPrompt kTaskPrompts[] = {
    {"general question", "What is the difference between a virus and a bacterium?"},
    {"brainstorming",
     "Give me ten name ideas for a small bakery that specialises in sourdough."},
    {"first draft",
     "Draft a short email to my team saying the Friday stand-up moves to 10am."},
    {"summarization",
     "Summarize this paragraph in two sentences: The city council met on Tuesday to discuss "
     "the new bike lanes. After three hours of debate, members voted 7-2 to fund a pilot on "
     "Main Street, with a review planned after six months. Shop owners worried about "
     "parking; cyclists welcomed the plan."},
    {"data extraction",
     "Extract the names, dates and amounts from this text as JSON: 'Invoice 1042 from Acme "
     "Ltd dated 3 March 2026, total 1,250.00 EUR, due 2 April 2026.'"},
    {"editing",
     "Fix the grammar in this sentence: 'Me and him goes to the store yesterday and buyed "
     "three apple.'"},
    {"personal assistant", "Remind me what to pack for a three-day hiking trip in the mountains."},
    {"customer support",
     "A customer writes that their order arrived damaged. Write a polite reply offering a "
     "replacement or a refund."},
    {"technical writing",
     "Write a README section explaining how to install the CLI with pip and run it for the "
     "first time."},
    {"code completion", "Complete this Python function: def is_palindrome(s: str) -> bool:"},
    {"simple debugging",
     "Why does this JavaScript print undefined? const user = {name: 'Ada'}; "
     "console.log(user.Name);"},
    {"explain code",
     "Explain what this line of Bash does: find . -name '*.log' -mtime +7 -delete"},
    {"refactoring",
     "Refactor this function to remove the duplicated code: def area(shape, a, b): if shape "
     "== 'rect': return a * b\n if shape == 'square': return a * a"},
    {"math", "Solve for x: 3x + 7 = 22, and show each step."},
    {"short document",
     "Analyse this short contract clause and tell me who pays for repairs: 'The Landlord "
     "shall repair structural defects; the Tenant shall repair damage caused by the Tenant "
     "or guests.'"},
    {"code review",
     "Please review this pull request before I merge it: it adds a cache in front of the "
     "user service, but I am not sure about the invalidation logic."},
    {"complex debugging",
     "Our service deadlocks under load only in production: two goroutines hold locks on the "
     "cache and the DB pool in opposite order, and the pprof dump shows hundreds of blocked "
     "requests. Help me find the root cause."},
    {"marketing copy",
     "Write landing-page copy for our new budgeting app: a headline, three benefit bullets "
     "and a call to action, for young professionals."},
    {"long-form writing",
     "Write a 3,000-word chapter of a mystery novel set in a lighthouse, with three "
     "characters and a twist at the end."},
    {"research",
     "Compare the evidence for and against a four-day work week across the published "
     "trials, weigh their methodology, and tell me what a mid-size company should "
     "conclude."},
    {"many constraints",
     "Write a product announcement that is under 120 words, mentions the price exactly "
     "once, avoids the word 'revolutionary', uses British spelling, ends with a question, "
     "and includes two customer quotes."},
    {"several documents",
     "I am pasting three vendor proposals below. Compare them on price, delivery time and "
     "support, and recommend one."},
};

constexpr TaskPrompt kSensitivePrompts[] = {
    {"contact details",
     "Draft a reply to jane.doe@example.com confirming her appointment on Thursday; her "
     "phone is +1 415 555 0199."},
    {"card number",
     "My Visa 4532 0151 1283 0366 expiring 09/27 was charged twice. Help me write a "
     "dispute."},
    {"medical note",
     "Summarize this patient note: Maria Lopez, DOB 04/12/1961, diagnosed with type 2 "
     "diabetes, prescribed metformin 500 mg twice daily."},
};

// About 55,000 tokens of an annual report: varied enough to read as a
// document, long enough to cross the policy's 50,000-token line.
std::string AnnualReport() {
  static constexpr const char* kSections[] = {
      "Revenue grew in every region except the north, where two large contracts ended "
      "early and were not renewed. ",
      "Operating costs rose faster than planned because of energy prices, freight and the "
      "new warehouse, which opened four months late. ",
      "The board approved a share buyback, a higher dividend and a review of the supplier "
      "base, which depends on three vendors for most components. ",
      "Customer churn fell after the support team moved to follow-the-sun coverage, but "
      "the backlog of open tickets doubled during the migration. ",
      "Currency swings cut reported profit by several points; about a third of sales are "
      "invoiced in currencies the company does not hedge. ",
  };
  std::string report = "Annual report, fiscal year 2025.\n\n";
  for (int quarter = 0; report.size() < 225'000; ++quarter) {
    report += "Section " + std::to_string(quarter + 1) + ". ";
    for (int line = 0; line < 5; ++line) {
      report += kSections[(quarter + line) % 5];
    }
    report += "\n\n";
  }
  return report;
}

}  // namespace

std::string DemoPhaseName(DemoRequest::Phase phase) {
  switch (phase) {
    case DemoRequest::Phase::kTasks:
      return "tasks";
    case DemoRequest::Phase::kSensitive:
      return "sensitive";
    case DemoRequest::Phase::kLongDocument:
      return "long document";
    case DemoRequest::Phase::kBurst:
      return "rate-limit burst";
    case DemoRequest::Phase::kOutage:
      return "outage";
  }
  return "";
}

std::vector<DemoRequest> DemoWorkload(bool staged_faults) {
  std::vector<DemoRequest> workload;
  int index = 0;
  for (const TaskPrompt& task : kTaskPrompts) {
    // Every third request speaks the OpenAI API: both APIs, one gateway.
    workload.push_back({.phase = DemoRequest::Phase::kTasks,
                        .label = task.label,
                        .openai = index++ % 3 == 2,
                        .prompt = task.prompt,
                        .max_tokens = 200});
  }
  for (const TaskPrompt& sensitive : kSensitivePrompts) {
    workload.push_back({.phase = DemoRequest::Phase::kSensitive,
                        .label = sensitive.label,
                        .openai = false,
                        .prompt = sensitive.prompt,
                        .max_tokens = 200});
  }
  workload.push_back({.phase = DemoRequest::Phase::kLongDocument,
                      .label = "annual report (55K tokens)",
                      .openai = false,
                      .prompt = AnnualReport() +
                                "\nAnalyse this annual report and list the three biggest "
                                "risks it reveals.",
                      .max_tokens = 300});
  if (!staged_faults) {
    return workload;
  }
  for (const char* label : {"code review", "complex debugging", "marketing copy"}) {
    for (const TaskPrompt& task : kTaskPrompts) {
      if (std::string(task.label) == label) {
        workload.push_back({.phase = DemoRequest::Phase::kBurst,
                            .label = label,
                            .openai = false,
                            .prompt = task.prompt,
                            .max_tokens = 200});
      }
    }
  }
  for (const char* label : {"research", "long-form writing", "several documents"}) {
    for (const TaskPrompt& task : kTaskPrompts) {
      if (std::string(task.label) == label) {
        workload.push_back({.phase = DemoRequest::Phase::kOutage,
                            .label = label,
                            .openai = false,
                            .prompt = task.prompt,
                            .max_tokens = 200});
      }
    }
  }
  return workload;
}

}  // namespace duet
