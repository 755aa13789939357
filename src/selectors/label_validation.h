// Owns: the label key/value syntax checks and field-error wording that selector parsing
// shares with API validation (upstream apimachinery/pkg/util/validation and
// util/validation/field, as of Kubernetes 1.32), so messages match what kubectl users see.
// Does not own: object validation (registry strategies use these building blocks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cubelet::selectors {

// validation.IsQualifiedName: an optional DNS-1123 subdomain prefix and '/', then a name of at
// most 63 characters [A-Za-z0-9._-] that starts and ends alphanumeric. Empty when valid, else
// one message per problem ("name part must consist of ...").
std::vector<std::string> IsQualifiedName(std::string_view value);

// validation.IsValidLabelValue: empty, or at most 63 characters shaped like a name part.
std::vector<std::string> IsValidLabelValue(std::string_view value);

// validation.IsDNS1123Subdomain: at most 253 lowercase characters, dot-separated labels.
std::vector<std::string> IsDNS1123Subdomain(std::string_view value);

// Go's %q of a string: double-quoted with \", \\ and control characters escaped.
std::string GoQuote(std::string_view s);

// field.Error texts. `path` is the field path as upstream prints it ("<nil>" for none).
std::string FieldInvalid(std::string_view path, std::string_view quoted_value, std::string_view detail);
std::string FieldRequired(std::string_view path, std::string_view detail);
std::string FieldForbidden(std::string_view path, std::string_view detail);

// utilerrors.NewAggregate(...).Error(): duplicates dropped, one message alone, several as
// "[a, b]". Empty input gives "".
std::string AggregateMessages(const std::vector<std::string>& messages);

}  // namespace cubelet::selectors
