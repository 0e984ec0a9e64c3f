#include "ledger/prometheus_text.h"

#include <cmath>

#include <fmt/format.h>

namespace duet {

void AppendMetricHeader(std::string* out, std::string_view name, std::string_view help,
                        std::string_view type) {
  fmt::format_to(std::back_inserter(*out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                 type);
}

void AppendSample(std::string* out, std::string_view name, const MetricLabels& labels,
                  double value) {
  out->append(name);
  if (!labels.empty()) {
    out->push_back('{');
    bool first = true;
    for (const auto& [key, text] : labels) {
      out->append(first ? "" : ",");
      first = false;
      out->append(key);
      out->append("=\"");
      for (char c : text) {
        if (c == '\\' || c == '"') {
          out->push_back('\\');
          out->push_back(c);
        } else if (c == '\n') {
          out->append("\\n");
        } else {
          out->push_back(c);
        }
      }
      out->push_back('"');
    }
    out->push_back('}');
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? " +Inf\n" : " -Inf\n");
  } else {
    fmt::format_to(std::back_inserter(*out), " {}\n", value);
  }
}

}  // namespace duet
