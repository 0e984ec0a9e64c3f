// Writing Prometheus' text exposition format (version 0.0.4).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet {

using MetricLabels = std::vector<std::pair<std::string_view, std::string_view>>;

// "# HELP name help\n# TYPE name type\n".
void AppendMetricHeader(std::string* out, std::string_view name, std::string_view help,
                        std::string_view type);
// `name{label="value",...} value\n`, label values escaped.
void AppendSample(std::string* out, std::string_view name, const MetricLabels& labels,
                  double value);

}  // namespace duet
