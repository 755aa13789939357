// A real registry over the real SQLite store in a temp dir, for registry tests: one
// ResourceStore per built-in resource (events.k8s.io shares core events' storage).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/logger.h"
#include "json/parse.h"
#include "registry/resource_set.h"
#include "registry/resources.h"
#include "schema/schema.h"
#include "storage/sqlite/sqlite_store.h"

namespace cubelet::registry {

class RegistryFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/registry-test-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    auto store = storage::sqlite::NewSqliteStore(dir_, {}, &clock_, logger_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    for (const ResourceDefinition& d : BuiltInResources(absl::Hours(1))) {
      if (!d.info.storage_resource.empty()) continue;
      resources_.Add(std::make_unique<ResourceStore>(d.info, d.strategy, store_.get(), &schema::Schema::BuiltIn(),
                                                     &clock_, logger_));
    }
    for (ResourceStore* r : resources_.all()) ASSERT_TRUE(r->Start().ok());
  }

  void TearDown() override {
    for (ResourceStore* r : resources_.all()) r->Stop();
    store_->Close();
    std::filesystem::remove_all(dir_);
  }

  ResourceStore& Store(std::string_view group, std::string_view resource) {
    ResourceStore* s = resources_.Find(group, resource);
    EXPECT_NE(s, nullptr) << resource;
    return *s;
  }

  static json::Value J(std::string_view text) {
    auto v = json::Parse(text);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : json::Value();
  }

  int64_t Revision() { return *store_->CurrentRevision(); }

  // Real time: the stores' timestamps and TTLs are not under test here.
  RealClock clock_;
  Logger logger_{std::make_shared<CapturingLogSink>(), 0, &clock_};
  std::string dir_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  ResourceSet resources_;
};

}  // namespace cubelet::registry
