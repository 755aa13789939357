// schema_check FILE...: parses the given .schema files together (references may cross files)
// and prints every error as "FILE:LINE: what is wrong", or "ok: N types". Exit code 1 on errors.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "schema/schema.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE.schema...\n", argv[0]);
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> texts;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot open\n", argv[i]);
      return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string name = argv[i];
    if (size_t slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    texts.emplace_back(std::move(name), text.str());
  }
  auto schema = cubelet::schema::Schema::Parse(texts);
  if (!schema.ok()) {
    std::fprintf(stderr, "%s\n", std::string(schema.status().message()).c_str());
    return 1;
  }
  std::printf("ok: %zu types\n", schema->types().size());
  return 0;
}
