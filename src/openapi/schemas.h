// Owns: the named schemas of one OpenAPI document (v3 `components.schemas`, v2 `definitions`):
// the kinds its operations name and every type they reference, the meta types every document's
// operations name (Status, DeleteOptions, ListMeta and the Patch body), and the <Kind>List
// schema of each listed resource (upstream generates one per list kind; clients decode list
// responses by it), sorted by name as upstream's documents are.
// Does not own: the schemas of the table's types (schema/openapi.h), the operations (operations.h).
#pragma once

#include <string>
#include <vector>

#include "json/value.h"
#include "openapi/operations.h"
#include "schema/openapi.h"
#include "schema/schema.h"

namespace cubelet::openapi {

// The schemas object for `operations` in `version`'s shape. A type the table lacks is left out
// and named in `problems` (a broken invariant of the built-in tables).
json::Value DocumentSchemas(const schema::Schema& schema, const DocumentOperations& operations,
                            schema::OpenApiVersion version, std::vector<std::string>* problems);

}  // namespace cubelet::openapi
