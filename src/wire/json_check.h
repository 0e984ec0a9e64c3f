// Checks that a model's answer is JSON, and that it satisfies a JSON Schema:
// what the escalation checks (route/escalation) ask of an answer to a
// request for structured output or a tool call. Callers pass text and get a
// Status; the parsed JSON stays inside src/wire.
//
// Accepted text: one complete JSON value with optional whitespace around
// it, or that value inside one fenced Markdown code block (```json ... ```
// or ``` ... ```, the fences on their own lines), because small models add
// fences even when told not to. Anything before or after the value (or the
// fence) is an error, as are comments and nesting deeper than
// kMaxCheckedJsonDepth.
//
// The schema subset (drafts 4 to 2020-12 agree on these):
//   type (a name or an array of names; "integer" also accepts 2.0),
//   properties, required, additionalProperties (false or a schema),
//   items (one schema for every element), enum, const (objects compare
//   regardless of key order, numbers by value), minItems, maxItems,
//   minLength, maxLength (in Unicode code points), minimum, maximum,
//   exclusiveMinimum, exclusiveMaximum (numbers as from draft 6, or draft
//   4's booleans beside minimum/maximum), allOf, anyOf and oneOf (both mean
//   "at least one alternative matches"), local $ref ("#", "#/$defs/Name",
//   "#/definitions/Name", any JSON pointer into the schema; keywords beside
//   a $ref apply too) and the boolean schemas true and false.
// Every other keyword is ignored, which can only make the check more lenient:
//   pattern, format, patternProperties, propertyNames, dependentRequired,
//   dependentSchemas, if/then/else, not, prefixItems and array-form items,
//   contains, uniqueItems, minProperties, maxProperties, multipleOf,
//   unevaluated*, remote $ref (anything not starting with "#"), and
//   annotations (title, description, default, examples, nullable...).
//
// Errors (all kInvalidArgument, messages plain ASCII):
//   "not JSON: <reason>"           the text is not one JSON value
//   "<path>: <violation>"          the value breaks the schema, at the first
//                                  violation found, e.g.
//                                  "$.items[2].name: expected string, got
//                                  number"
//   "schema: <reason>"             the schema itself is unusable (not JSON,
//                                  a keyword of the wrong shape, a $ref that
//                                  leads nowhere, or too costly to check)
// Messages name paths and the schema's own limits, never the checked
// value's strings or numbers (a path does hold the value's object keys).
// Paths start at "$"; keys that are not plain identifiers appear as
// ["key"], JSON-escaped to ASCII and cut at 64 bytes.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "core/status.h"

namespace duet::wire {

// Deeper arrays and objects, in the text or in the schema, are refused
// before parsing, so hostile nesting cannot exhaust the stack.
inline constexpr int kMaxCheckedJsonDepth = 128;

// OK when `text` is one JSON value as described above; otherwise
// kInvalidArgument "not JSON: <reason>" (the reason gives a line and column,
// never the text).
Status CheckJsonText(std::string_view text);

// OK when `text` is one JSON value (as CheckJsonText) that satisfies the JSON
// Schema `schema_json`. The text is checked first. The schema is read
// strictly where it applies to the value: a keyword this file implements
// must have the shape the specification gives it, or the result is a
// "schema: ..." error (a malformed minLength is only noticed on a
// string). Checking stops with a "schema: ..." error after 2^17 steps
// (schemas whose $ref alternatives multiply), so a hostile schema costs
// bounded time.
Status CheckJsonAgainstSchema(std::string_view text,
                              std::string_view schema_json);

// True when `status` is a "schema: ..." error from CheckJsonAgainstSchema:
// the schema, not the checked text, is at fault.
bool IsSchemaError(const Status& status);

}  // namespace duet::wire
