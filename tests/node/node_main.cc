// Registers the node test environment: one private containerd for the whole test binary.
#include <gtest/gtest.h>

#include "testbed/testbed.h"

namespace {
const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new cubelet::testing::NodeTestEnvironment());
}  // namespace
