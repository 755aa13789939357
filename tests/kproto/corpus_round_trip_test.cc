// Every object of tests/schema/corpus survives JSON -> protobuf -> JSON: the pb(N) numbers of the
// schema cover what kubelets, schedulers and kubectl write, and the transcoder loses nothing but
// what upstream's own protobuf round trip loses (zero values of value fields, which its JSON
// omits; empty lists and maps, which protobuf cannot tell from absent ones; quantities written
// as numbers come back as strings).
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "json/write.h"
#include "kproto/envelope.h"
#include "schema/corpus_util.h"
#include "schema/decode.h"
#include "schema/schema.h"

namespace cubelet::kproto {
namespace {

using schema::Field;
using schema::Kind;

bool IsZeroScalar(Kind kind, const json::Value& v) {
  switch (kind) {
    case Kind::kString:
    case Kind::kBytes: return v.is_string() && v.AsString().empty();
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kFloat64: return v.is_number() && v.AsDouble() == 0.0;
    case Kind::kBoolean: return v.is_bool() && !v.AsBool();
    case Kind::kQuantity: return (v.is_string() && v.AsString() == "0") || (v.is_number() && v.AsDouble() == 0.0);
    case Kind::kIntOrString: return (v.is_number() && v.AsDouble() == 0.0) || (v.is_string() && v.AsString().empty());
    default: return false;
  }
}

void NormalizeValue(const schema::TypeRef& type, json::Value* v);

// What upstream's protobuf round trip does to a JSON object: value fields' zeros and empty lists
// and maps vanish, quantities become strings.
void NormalizeObject(const schema::StructType& type, json::Value* object) {
  json::Object& members = object->AsObject();
  for (auto it = members.begin(); it != members.end();) {
    const Field* field = type.FindField(it->first);
    if (field == nullptr) {
      ++it;
      continue;
    }
    const bool empty_container = (field->type.kind == Kind::kList || field->type.kind == Kind::kMap) &&
                                 it->second.size() == 0;
    if (it->second.is_null() || empty_container ||
        (IsZeroScalar(field->type.kind, it->second) && !field->protobuf_pointer && !field->required)) {
      it = members.erase(it);
      continue;
    }
    NormalizeValue(field->type, &it->second);
    ++it;
  }
}

void NormalizeValue(const schema::TypeRef& type, json::Value* v) {
  switch (type.kind) {
    case Kind::kQuantity:
      if (v->is_number()) *v = json::Value(v->number_literal());
      break;
    case Kind::kStruct:
      if (v->is_object()) NormalizeObject(*schema::Schema::BuiltIn().Find(type.name), v);
      break;
    case Kind::kList:
      if (v->is_array()) {
        for (json::Value& item : v->AsArray()) NormalizeValue(*type.elem, &item);
      }
      break;
    case Kind::kMap:
      if (v->is_object()) {
        for (json::Member& m : v->AsObject()) NormalizeValue(*type.elem, &m.second);
      }
      break;
    default:
      break;
  }
}

TEST(KprotoCorpusTest, EveryCorpusObjectSurvivesAProtobufRoundTrip) {
  const schema::Schema& schema = schema::Schema::BuiltIn();
  std::vector<std::filesystem::path> files = schema::testing::CorpusFiles();
  ASSERT_GE(files.size(), 40u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    schema::testing::CorpusObject c;
    ASSERT_NO_FATAL_FAILURE(schema::testing::ReadCorpusObject(path, &c));
    const schema::StructType* type = c.type;
    json::Value& object = c.object;
    // As the server keeps it: checked and normalised by the schema decoder.
    schema::DecodeReport report = schema::Decode(schema, type->name, &object);
    ASSERT_TRUE(report.type_errors.empty());

    auto body = Encode(schema, type->name, object);
    ASSERT_TRUE(body.ok()) << body.status();
    auto back = Decode(schema, type->name, *body);
    ASSERT_TRUE(back.ok()) << back.status();
    json::Value expected = object;
    NormalizeObject(*type, &expected);
    EXPECT_EQ(*back, expected) << "got      " << json::Write(*back) << "\nexpected " << json::Write(expected);
    // Equal objects encode to equal bytes, whatever their members' order.
    auto again = Encode(schema, type->name, *back);
    auto normalized = Encode(schema, type->name, expected);
    ASSERT_TRUE(again.ok() && normalized.ok());
    EXPECT_EQ(*again, *normalized);
  }
}

}  // namespace
}  // namespace cubelet::kproto
